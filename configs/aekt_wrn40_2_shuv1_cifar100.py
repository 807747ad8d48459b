# AEKT (reconstruction): wrn_40_2 -> ShuffleV1 on CIFAR-100.
# By analogy with DKD: the pair's DKD beta 8 (the default; mdistiller
# configs/cifar100/dkd/wrn40_2_shuv1.yaml sets none).
from mmengine.config import read_base

with read_base():
    from ._base_.pairs.wrn40_2_shuv1_cifar100 import *  # noqa: F401,F403
    from ._base_.distill.aekt import *  # noqa: F401,F403

model.merge(distill)  # noqa: F405
