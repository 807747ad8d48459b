# LDRLD: ResNet-34 -> ResNet-18 on ImageNet-1K.
# No published ImageNet hyper-parameters could be found: T=1 as the
# KD/DKD/RLD ImageNet recipes (pair.tau), with the published d=7,
# alpha=10.5, beta=7 and ADW constants; no loss warm-up, the standard
# ImageNet learning rate.
from mmengine.config import read_base

with read_base():
    from ._base_.distill.ldrld import *  # noqa: F401,F403
    from ._base_.pairs.r34_r18_imagenet import *  # noqa: F401,F403

model.merge(method)  # noqa: F405
model.distiller.distill_losses.loss_ldrld.tau = pair.tau  # noqa: F405
param_scheduler = pair.ldrld_param_scheduler  # noqa: F405
del method, pair  # noqa: F821
