# CIFAR-100 wrn_16_1 of the CRD/mdistiller model zoo (pre-pool map 64x8x8,
# 180,916 parameters with this head).
from mmengine.config import read_base

with read_base():
    from ..cifar100_classifier import *  # noqa: F401,F403

model.backbone = dict(type='wrn_16_1')  # noqa: F405
model.head.in_channels = 64  # noqa: F405
