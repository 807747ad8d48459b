# AEKT (reconstruction): wrn_40_2 -> MobileNetV2 on CIFAR-100.
# By analogy with DKD: the pair's DKD beta 6 (SDD
# configs/cifar100/sdd_dkd/wrn40_2_mv2.yaml).
from mmengine.config import read_base

with read_base():
    from ._base_.pairs.wrn40_2_mbv2_cifar100 import *  # noqa: F401,F403
    from ._base_.distill.aekt import *  # noqa: F401,F403

model.merge(distill)  # noqa: F405
model.distiller.distill_losses.loss_aekt.beta = 6  # noqa: F405
