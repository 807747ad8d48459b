# LDRLD: resnet14 -> resnet8 on Fashion-MNIST (the demo; teacher first, see
# _base_/r14_r8.py). The loss's published setting; the demo's schedule is
# the same for every method, so the authors' CIFAR-100 learning-rate
# warm-up (schedules/cifar100_240e_lr_warmup.py) is not used here.
from mmengine.config import read_base

with read_base():
    from .._base_.distill.ldrld import *  # noqa: F401,F403
    from ._base_.r14_r8 import *  # noqa: F401,F403

model.merge(method)  # noqa: F405
model.distiller.distill_losses.loss_ldrld.tau = pair.tau  # noqa: F405
del method, pair  # noqa: F821
