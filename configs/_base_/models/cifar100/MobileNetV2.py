# CIFAR-100 MobileNetV2 of the CRD/mdistiller model zoo (pre-pool map 1280x2x2,
# 812,836 parameters with this head). The half-width CIFAR MobileNetV2 of
# CRD/mdistiller ('mobile_half'): our CIFARMobileNetV2, registered as
# 'CIFAR_MobileNetV2' (mmpretrain has its own MobileNetV2).
from mmengine.config import read_base

from mmkd_logits.models.backbones import CIFARMobileNetV2

with read_base():
    from ..cifar100_classifier import model

model.backbone = dict(type=CIFARMobileNetV2)
model.head.in_channels = 1280
