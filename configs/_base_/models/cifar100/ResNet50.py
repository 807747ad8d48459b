# CIFAR-100 ResNet50 of the CRD/mdistiller model zoo (pre-pool map 2048x4x4,
# 23,705,252 parameters with this head).
from mmengine.config import read_base

with read_base():
    from ..cifar100_classifier import *  # noqa: F401,F403

model.backbone = dict(type='ResNet50')  # noqa: F405
model.head.in_channels = 2048  # noqa: F405
