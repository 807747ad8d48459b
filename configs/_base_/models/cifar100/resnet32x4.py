# CIFAR-100 resnet32x4 of the CRD/mdistiller model zoo (pre-pool map 256x8x8,
# 7,433,860 parameters with this head).
from mmengine.config import read_base

with read_base():
    from ..cifar100_classifier import *  # noqa: F401,F403

model.backbone = dict(type='resnet32x4')  # noqa: F405
model.head.in_channels = 256  # noqa: F405
