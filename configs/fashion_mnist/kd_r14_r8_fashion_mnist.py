# KD: resnet14 -> resnet8 on Fashion-MNIST (the demo; teacher first, see
# _base_/r14_r8.py).
from mmengine.config import read_base

with read_base():
    from .._base_.distill.kd import *  # noqa: F401,F403
    from ._base_.r14_r8 import *  # noqa: F401,F403

model.merge(method)  # noqa: F405
model.architecture.head.loss.loss_weight = pair.kd_ce_weight  # noqa: F405
model.distiller.distill_losses.loss_kd.update(  # noqa: F405
    tau=pair.tau, loss_weight=pair.kd_weight)  # noqa: F405
del method, pair  # noqa: F821
