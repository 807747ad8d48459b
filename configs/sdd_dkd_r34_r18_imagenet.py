# SD-DKD: ResNet-34 -> ResNet-18 on ImageNet-1K.
# As SDD configs/imagenet/r34_r18/sdd_dkd.yaml and run.sh: T=1, alpha=1,
# beta=0.5, CE weight 1, M = (1, 2). Warm-up 1 epoch (the method's hook, last
# in custom_hooks), ramped linearly over the first epoch's iterations (the
# authors' code steps the factor min(epoch / 1, 1) per 1-based epoch, i.e. 1
# throughout).
from mmengine.config import read_base

with read_base():
    from ._base_.pairs.r34_r18_imagenet import *  # noqa: F401,F403
    from ._base_.distill.sdd_dkd import *  # noqa: F401,F403

model.merge(distill)  # noqa: F405
model.distiller.distill_losses.loss_sdd.update(tau=1.0, beta=0.5)  # noqa: F405
model.distiller.student_recorders.regions.scales = (1, 2)  # noqa: F405
model.distiller.teacher_recorders.regions.scales = (1, 2)  # noqa: F405
custom_hooks[-1].update(warmup_epochs=1, by_epoch=False)  # noqa: F405
