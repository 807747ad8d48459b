# CIFAR-100 resnet8 of the CRD/mdistiller model zoo (pre-pool map 64x8x8,
# 83,892 parameters with this head).
from mmengine.config import read_base

with read_base():
    from ..cifar100_classifier import *  # noqa: F401,F403

model.backbone = dict(type='resnet8')  # noqa: F405
model.head.in_channels = 64  # noqa: F405
