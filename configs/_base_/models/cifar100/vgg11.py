# CIFAR-100 vgg11 of the CRD/mdistiller model zoo (pre-pool map 512x4x4,
# 9,277,284 parameters with this head).
from mmengine.config import read_base

from mmkd_logits.models.backbones import CIFARVGG

with read_base():
    from ..cifar100_classifier import model

model.backbone = dict(type=CIFARVGG, arch='vgg11')
model.head.in_channels = 512
