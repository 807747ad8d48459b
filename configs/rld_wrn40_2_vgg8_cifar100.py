# RLD: wrn_40_2 -> vgg8 on CIFAR-100.
from mmengine.config import read_base

with read_base():
    from ._base_.distill.rld import *  # noqa: F401,F403
    from ._base_.pairs.wrn40_2_vgg8_cifar100 import *  # noqa: F401,F403

model.merge(method)  # noqa: F405
model.distiller.distill_losses.loss_rld.update(  # noqa: F405
    tau=pair.tau, beta=pair.rld_beta)  # noqa: F405
model.distiller.warmup = dict(epochs=pair.warmup)  # noqa: F405
del method, pair  # noqa: F821
