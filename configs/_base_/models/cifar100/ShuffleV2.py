# CIFAR-100 ShuffleV2 of the CRD/mdistiller model zoo (pre-pool map 1024x4x4,
# 1,355,528 parameters with this head).
from mmengine.config import read_base

from mmkd_logits.models.backbones import ShuffleV2

with read_base():
    from ..cifar100_classifier import model

model.backbone = dict(type=ShuffleV2)
model.head.in_channels = 1024
