# LDRLD: wrn_40_2 -> wrn_40_1 on CIFAR-100.
from mmengine.config import read_base

with read_base():
    from ._base_.pairs.wrn40_2_wrn40_1_cifar100 import *  # noqa: F401,F403
    from ._base_.distill.ldrld import *  # noqa: F401,F403

model.merge(distill)  # noqa: F405
