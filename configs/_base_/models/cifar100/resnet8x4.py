# CIFAR-100 resnet8x4 of the CRD/mdistiller model zoo (pre-pool map 256x8x8,
# 1,233,540 parameters with this head).
from mmengine.config import read_base

from mmkd_logits.models.backbones import CIFARResNet

with read_base():
    from ..cifar100_classifier import model

model.backbone = dict(type=CIFARResNet, arch='resnet8x4')
model.head.in_channels = 256
