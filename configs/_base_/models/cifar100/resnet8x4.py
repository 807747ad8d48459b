# CIFAR-100 resnet8x4 of the CRD/mdistiller model zoo (pre-pool map 256x8x8,
# 1,233,540 parameters with this head).
from mmengine.config import read_base

with read_base():
    from ..cifar100_classifier import *  # noqa: F401,F403

model.backbone = dict(type='resnet8x4')  # noqa: F405
model.head.in_channels = 256  # noqa: F405
