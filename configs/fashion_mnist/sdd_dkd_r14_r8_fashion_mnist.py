# SD-DKD: resnet14 -> resnet8 on Fashion-MNIST (the demo; teacher first,
# see _base_/r14_r8.py).
from mmengine.config import read_base

with read_base():
    from .._base_.distill.sdd_dkd import *  # noqa: F401,F403
    from ._base_.r14_r8 import *  # noqa: F401,F403

model.merge(method)  # noqa: F405
model.distiller.distill_losses.loss_sdd.update(  # noqa: F405
    tau=pair.tau, beta=pair.dkd_beta)  # noqa: F405
model.distiller.student_recorders.regions.scales = pair.sdd_scales  # noqa
model.distiller.teacher_recorders.regions.scales = pair.sdd_scales  # noqa
optim_wrapper.clip_grad = clip_grad  # noqa: F405
model.distiller.warmup = dict(epochs=pair.warmup)  # noqa: F405
del method, pair, clip_grad  # noqa: F821
