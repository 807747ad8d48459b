# DKD: resnet110 -> resnet20 on CIFAR-100.
# The pair's DKD beta 2 (RLD configs/cifar100/dkd/resnet110_resnet20.yaml).
from mmengine.config import read_base

with read_base():
    from ._base_.pairs.r110_r20_cifar100 import *  # noqa: F401,F403
    from ._base_.distill.dkd import *  # noqa: F401,F403

model.merge(distill)  # noqa: F405
model.distiller.distill_losses.loss_dkd.beta = 2  # noqa: F405
