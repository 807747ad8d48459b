# CIFAR-100 vgg13 of the CRD/mdistiller model zoo (pre-pool map 512x4x4,
# 9,462,180 parameters with this head).
from mmengine.config import read_base

with read_base():
    from ..cifar100_classifier import *  # noqa: F401,F403

model.backbone = dict(type='vgg13')  # noqa: F405
model.head.in_channels = 512  # noqa: F405
