# CIFAR-100 pair: wrn_40_2 (teacher) -> vgg8 (student).
from mmengine.config import read_base

with read_base():
    from ..models.cifar100.vgg8 import model as student
    from ..models.cifar100.wrn_40_2 import model as teacher
    from .cifar100 import *  # noqa: F401,F403

model.update(  # noqa: F405
    architecture=student,
    teacher=teacher,
    # wrn_40_2_vanilla/ckpt_epoch_240.pth of mdistiller's
    # cifar_teachers.tar, converted (see cifar100.py)
    teacher_ckpt='checkpoints/wrn_40_2_cifar100.pth')
# the pair's DKD beta 8 (the default; SDD
# configs/cifar100/sdd_dkd/wrn40_2_vgg8.yaml sets none), used by DKD, SD-DKD
# and AEKT
# SDD: cross-family pair: M = (1, 2, 4) (SDD paper and scripts)
pair.update(dkd_beta=8.0, sdd_scales=(1, 2, 4))  # noqa: F405
del student, teacher
