# SD-KD: resnet110 -> resnet20 on CIFAR-100.
# Same-family pair: M = (1, 2) (SDD paper and scripts).
from mmengine.config import read_base

with read_base():
    from ._base_.pairs.r110_r20_cifar100 import *  # noqa: F401,F403
    from ._base_.distill.sdd_kd import *  # noqa: F401,F403

model.merge(distill)  # noqa: F405
model.distiller.student_recorders.regions.scales = (1, 2)  # noqa: F405
model.distiller.teacher_recorders.regions.scales = (1, 2)  # noqa: F405
