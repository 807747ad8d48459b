# SD-DKD: resnet110 -> resnet32 on CIFAR-100.
# The pair's DKD beta 2 (mdistiller configs/cifar100/dkd/res110_res32.yaml).
# Same-family pair: M = (1, 2) (SDD paper and scripts).
from mmengine.config import read_base

with read_base():
    from ._base_.pairs.r110_r32_cifar100 import *  # noqa: F401,F403
    from ._base_.distill.sdd_dkd import *  # noqa: F401,F403

model.merge(distill)  # noqa: F405
model.distiller.distill_losses.loss_sdd.beta = 2  # noqa: F405
model.distiller.student_recorders.regions.scales = (1, 2)  # noqa: F405
model.distiller.teacher_recorders.regions.scales = (1, 2)  # noqa: F405
