# CIFAR-100 ResNet18 of the CRD/mdistiller model zoo (pre-pool map 512x4x4,
# 11,220,132 parameters with this head).
from mmengine.config import read_base

from mmkd_logits.models.backbones import CIFARResNetV2

with read_base():
    from ..cifar100_classifier import model

model.backbone = dict(type=CIFARResNetV2, arch='ResNet18')
model.head.in_channels = 512
