# SD-KD: ResNet-34 -> ResNet-18 on ImageNet-1K.
# As SDD configs/imagenet/r34_r18/sdd_kd.yaml: mdistiller's KD defaults (T=4,
# weight 0.9, CE 0.1); M = (1, 2) (same family).
from mmengine.config import read_base

with read_base():
    from ._base_.pairs.r34_r18_imagenet import *  # noqa: F401,F403
    from ._base_.distill.sdd_kd import *  # noqa: F401,F403

model.merge(distill)  # noqa: F405
model.distiller.student_recorders.regions.scales = (1, 2)  # noqa: F405
model.distiller.teacher_recorders.regions.scales = (1, 2)  # noqa: F405
