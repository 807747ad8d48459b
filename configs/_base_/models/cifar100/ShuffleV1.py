# CIFAR-100 ShuffleV1 of the CRD/mdistiller model zoo (pre-pool map 960x4x4,
# 949,258 parameters with this head).
from mmengine.config import read_base

from mmkd_logits.models.backbones import ShuffleV1

with read_base():
    from ..cifar100_classifier import model

model.backbone = dict(type=ShuffleV1)
model.head.in_channels = 960
