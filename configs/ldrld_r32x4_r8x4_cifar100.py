# LDRLD: resnet32x4 -> resnet8x4 on CIFAR-100.
from mmengine.config import read_base

with read_base():
    from ._base_.pairs.r32x4_r8x4_cifar100 import *  # noqa: F401,F403
    from ._base_.distill.ldrld import *  # noqa: F401,F403

model.merge(distill)  # noqa: F405
