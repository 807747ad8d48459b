# CIFAR-100 wrn_16_1 of the CRD/mdistiller model zoo (pre-pool map 64x8x8,
# 180,916 parameters with this head).
from mmengine.config import read_base

from mmkd_logits.models.backbones import WideResNetCIFAR

with read_base():
    from ..cifar100_classifier import model

model.backbone = dict(type=WideResNetCIFAR, arch='wrn_16_1')
model.head.in_channels = 64
