# CIFAR-100 resnet32x4 of the CRD/mdistiller model zoo (pre-pool map 256x8x8,
# 7,433,860 parameters with this head).
from mmengine.config import read_base

from mmkd_logits.models.backbones import CIFARResNet

with read_base():
    from ..cifar100_classifier import model

model.backbone = dict(type=CIFARResNet, arch='resnet32x4')
model.head.in_channels = 256
