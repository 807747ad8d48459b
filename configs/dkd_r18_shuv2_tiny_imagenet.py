# DKD: ResNet18 -> ShuffleV2 on Tiny-ImageNet.
# No published Tiny-ImageNet setting for this method: its CIFAR-100
# defaults (see the method and pair configs).
from mmengine.config import read_base

with read_base():
    from ._base_.distill.dkd import *  # noqa: F401,F403
    from ._base_.pairs.r18_shuv2_tiny_imagenet import *  # noqa: F401,F403

model.merge(method)  # noqa: F405
model.distiller.distill_losses.loss_dkd.update(  # noqa: F405
    tau=pair.tau, beta=pair.dkd_beta)  # noqa: F405
model.distiller.warmup = dict(epochs=pair.warmup)  # noqa: F405
del method, pair  # noqa: F821
