# AEKT (reconstruction): resnet56 -> resnet20 on CIFAR-100.
# By analogy with DKD: the pair's DKD beta 2 (mdistiller
# configs/cifar100/dkd/res56_res20.yaml).
from mmengine.config import read_base

with read_base():
    from ._base_.pairs.r56_r20_cifar100 import *  # noqa: F401,F403
    from ._base_.distill.aekt import *  # noqa: F401,F403

model.merge(distill)  # noqa: F405
model.distiller.distill_losses.loss_aekt.beta = 2  # noqa: F405
