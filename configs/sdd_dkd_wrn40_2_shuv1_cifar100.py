# SD-DKD: wrn_40_2 -> ShuffleV1 on CIFAR-100.
# The pair's DKD beta 8 (the default; mdistiller
# configs/cifar100/dkd/wrn40_2_shuv1.yaml sets none). Cross-family pair: M =
# (1, 2, 4) (the default; SDD paper and scripts).
from mmengine.config import read_base

with read_base():
    from ._base_.pairs.wrn40_2_shuv1_cifar100 import *  # noqa: F401,F403
    from ._base_.distill.sdd_dkd import *  # noqa: F401,F403

model.merge(distill)  # noqa: F405
