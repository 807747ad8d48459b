# SD-KD: resnet32x4 -> MobileNetV2 on CIFAR-100.
# Cross-family pair: M = (1, 2, 4) (the default; SDD paper and scripts).
from mmengine.config import read_base

with read_base():
    from ._base_.pairs.r32x4_mbv2_cifar100 import *  # noqa: F401,F403
    from ._base_.distill.sdd_kd import *  # noqa: F401,F403

model.merge(distill)  # noqa: F405
