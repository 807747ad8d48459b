# CIFAR-100 ResNet18 of the CRD/mdistiller model zoo (pre-pool map 512x4x4,
# 11,220,132 parameters with this head).
from mmengine.config import read_base

with read_base():
    from ..cifar100_classifier import *  # noqa: F401,F403

model.backbone = dict(type='ResNet18')  # noqa: F405
model.head.in_channels = 512  # noqa: F405
