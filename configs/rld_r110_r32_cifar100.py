# RLD: resnet110 -> resnet32 on CIFAR-100.
from mmengine.config import read_base

with read_base():
    from ._base_.pairs.r110_r32_cifar100 import *  # noqa: F401,F403
    from ._base_.distill.rld import *  # noqa: F401,F403

model.merge(distill)  # noqa: F405
