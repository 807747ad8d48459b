# DKD: wrn_40_2 -> wrn_40_1 on CIFAR-100.
# The pair's DKD beta 6 (mdistiller
# configs/cifar100/dkd/wrn40_2_wrn_40_1.yaml).
from mmengine.config import read_base

with read_base():
    from ._base_.pairs.wrn40_2_wrn40_1_cifar100 import *  # noqa: F401,F403
    from ._base_.distill.dkd import *  # noqa: F401,F403

model.merge(distill)  # noqa: F405
model.distiller.distill_losses.loss_dkd.beta = 6  # noqa: F405
