# CIFAR-100 MobileNetV2 of the CRD/mdistiller model zoo (pre-pool map 1280x2x2,
# 812,836 parameters with this head). The half-width CIFAR MobileNetV2 of
# CRD/mdistiller ('mobile_half'), registered as 'CIFAR_MobileNetV2' (mmpretrain
# has its own MobileNetV2).
from mmengine.config import read_base

with read_base():
    from ..cifar100_classifier import *  # noqa: F401,F403

model.backbone = dict(type='CIFAR_MobileNetV2')  # noqa: F405
model.head.in_channels = 1280  # noqa: F405
