# CIFAR-100 wrn_16_2 of the CRD/mdistiller model zoo (pre-pool map 128x8x8,
# 703,284 parameters with this head).
from mmengine.config import read_base

with read_base():
    from ..cifar100_classifier import *  # noqa: F401,F403

model.backbone = dict(type='wrn_16_2')  # noqa: F405
model.head.in_channels = 128  # noqa: F405
