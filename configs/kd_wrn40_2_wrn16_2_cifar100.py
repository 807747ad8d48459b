# KD: wrn_40_2 -> wrn_16_2 on CIFAR-100.
from mmengine.config import read_base

with read_base():
    from ._base_.pairs.wrn40_2_wrn16_2_cifar100 import *  # noqa: F401,F403
    from ._base_.distill.kd import *  # noqa: F401,F403

model.merge(distill)  # noqa: F405
