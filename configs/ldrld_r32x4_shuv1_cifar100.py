# LDRLD: resnet32x4 -> ShuffleV1 on CIFAR-100.
# The authors' learning-rate warm-up (20 epochs, then a plateau at 0.95 x
# base until the first decay): _base_/schedules/*_lr_warmup.py.
from mmengine.config import read_base

with read_base():
    from ._base_.distill.ldrld import *  # noqa: F401,F403
    from ._base_.pairs.r32x4_shuv1_cifar100 import *  # noqa: F401,F403

model.merge(method)  # noqa: F405
model.distiller.distill_losses.loss_ldrld.tau = pair.tau  # noqa: F405
param_scheduler = pair.ldrld_param_scheduler  # noqa: F405
del method, pair  # noqa: F821
