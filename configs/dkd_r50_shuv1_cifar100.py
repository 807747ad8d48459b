# DKD: ResNet50 -> ShuffleV1 on CIFAR-100.
# The pair's DKD beta 8 (the default; SDD
# configs/cifar100/sdd_dkd/res50_shuv1.yaml sets none).
from mmengine.config import read_base

with read_base():
    from ._base_.pairs.r50_shuv1_cifar100 import *  # noqa: F401,F403
    from ._base_.distill.dkd import *  # noqa: F401,F403

model.merge(distill)  # noqa: F405
