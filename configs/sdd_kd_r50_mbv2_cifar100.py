# SD-KD: ResNet50 -> MobileNetV2 on CIFAR-100.
from mmengine.config import read_base

with read_base():
    from ._base_.distill.sdd_kd import *  # noqa: F401,F403
    from ._base_.pairs.r50_mbv2_cifar100 import *  # noqa: F401,F403

model.merge(method)  # noqa: F405
model.distiller.student_recorders.regions.scales = pair.sdd_scales  # noqa
model.distiller.teacher_recorders.regions.scales = pair.sdd_scales  # noqa
optim_wrapper.clip_grad = clip_grad  # noqa: F405
del method, pair, clip_grad  # noqa: F821
