# DKD: ResNet-50 -> MobileNet-V1 on ImageNet-1K.
from mmengine.config import read_base

with read_base():
    from ._base_.distill.dkd import *  # noqa: F401,F403
    from ._base_.pairs.r50_mbv1_imagenet import *  # noqa: F401,F403

model.merge(method)  # noqa: F405
model.distiller.distill_losses.loss_dkd.update(  # noqa: F405
    tau=pair.tau, beta=pair.dkd_beta)  # noqa: F405
model.distiller.warmup = dict(epochs=pair.warmup)  # noqa: F405
del method, pair  # noqa: F821
