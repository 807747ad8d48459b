# SD-DKD: resnet32x4 -> resnet8x4 on CIFAR-100.
from mmengine.config import read_base

with read_base():
    from ._base_.distill.sdd_dkd import *  # noqa: F401,F403
    from ._base_.pairs.r32x4_r8x4_cifar100 import *  # noqa: F401,F403

model.merge(method)  # noqa: F405
model.distiller.distill_losses.loss_sdd.update(  # noqa: F405
    tau=pair.tau, beta=pair.dkd_beta)  # noqa: F405
model.distiller.student_recorders.regions.scales = pair.sdd_scales  # noqa
model.distiller.teacher_recorders.regions.scales = pair.sdd_scales  # noqa
optim_wrapper.clip_grad = clip_grad  # noqa: F405
model.distiller.warmup = dict(epochs=pair.warmup)  # noqa: F405
del method, pair, clip_grad  # noqa: F821
