# CIFAR-100 ResNet50 of the CRD/mdistiller model zoo (pre-pool map 2048x4x4,
# 23,705,252 parameters with this head).
from mmengine.config import read_base

from mmkd_logits.models.backbones import CIFARResNetV2

with read_base():
    from ..cifar100_classifier import model

model.backbone = dict(type=CIFARResNetV2, arch='ResNet50')
model.head.in_channels = 2048
