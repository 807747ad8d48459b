# RLD: ResNet18 -> MobileNetV2 on Tiny-ImageNet.
# No published Tiny-ImageNet setting for this method: its CIFAR-100
# defaults (see the method and pair configs).
from mmengine.config import read_base

with read_base():
    from ._base_.distill.rld import *  # noqa: F401,F403
    from ._base_.pairs.r18_mbv2_tiny_imagenet import *  # noqa: F401,F403

model.merge(method)  # noqa: F405
model.distiller.distill_losses.loss_rld.update(  # noqa: F405
    tau=pair.tau, beta=pair.rld_beta)  # noqa: F405
model.distiller.warmup = dict(epochs=pair.warmup)  # noqa: F405
del method, pair  # noqa: F821
