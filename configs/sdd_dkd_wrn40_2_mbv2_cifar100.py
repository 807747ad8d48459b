# SD-DKD: wrn_40_2 -> MobileNetV2 on CIFAR-100.
# The pair's DKD beta 6 (SDD configs/cifar100/sdd_dkd/wrn40_2_mv2.yaml).
# Cross-family pair: M = (1, 2, 4) (the default; SDD paper and scripts).
from mmengine.config import read_base

with read_base():
    from ._base_.pairs.wrn40_2_mbv2_cifar100 import *  # noqa: F401,F403
    from ._base_.distill.sdd_dkd import *  # noqa: F401,F403

model.merge(distill)  # noqa: F405
model.distiller.distill_losses.loss_sdd.beta = 6  # noqa: F405
