# CIFAR-100 pair: resnet32x4 (teacher) -> resnet8x4 (student).
from mmengine.config import read_base

with read_base():
    from ..models.cifar100.resnet8x4 import model as student
    from ..models.cifar100.resnet32x4 import model as teacher
    from .cifar100 import *  # noqa: F401,F403

model.update(  # noqa: F405
    architecture=student,
    teacher=teacher,
    # resnet32x4_vanilla/ckpt_epoch_240.pth of mdistiller's
    # cifar_teachers.tar, converted (see cifar100.py)
    teacher_ckpt='checkpoints/resnet32x4_cifar100.pth')
# the pair's DKD beta 8 (the default; mdistiller
# configs/cifar100/dkd/res32x4_res8x4.yaml sets none), used by DKD, SD-DKD
# and AEKT
# SDD: same-family pair: M = (1, 2) (SDD paper and scripts)
pair.update(dkd_beta=8.0, sdd_scales=(1, 2))  # noqa: F405
del student, teacher
