# CIFAR-100 ShuffleV1 of the CRD/mdistiller model zoo (pre-pool map 960x4x4,
# 949,258 parameters with this head).
from mmengine.config import read_base

with read_base():
    from ..cifar100_classifier import *  # noqa: F401,F403

model.backbone = dict(type='ShuffleV1')  # noqa: F405
model.head.in_channels = 960  # noqa: F405
