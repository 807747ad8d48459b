# AEKT (reconstruction): ResNet-34 -> ResNet-18 on ImageNet-1K.
# The paper's ImageNet values are not available: T=1, alpha=1, beta=0.5 and the
# warm-up are taken BY ANALOGY WITH DKD on this pair. Warm-up 1 epoch (the
# method's hook, last in custom_hooks), ramped linearly over the first epoch's
# iterations (the authors' code steps the factor min(epoch / 1, 1) per 1-based
# epoch, i.e. 1 throughout).
from mmengine.config import read_base

with read_base():
    from ._base_.pairs.r34_r18_imagenet import *  # noqa: F401,F403
    from ._base_.distill.aekt import *  # noqa: F401,F403

model.merge(distill)  # noqa: F405
model.distiller.distill_losses.loss_aekt.update(  # noqa: F405
    tau=1.0, beta=0.5)
custom_hooks[-1].update(warmup_epochs=1, by_epoch=False)  # noqa: F405
