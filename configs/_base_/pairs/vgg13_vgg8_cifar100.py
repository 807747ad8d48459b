# CIFAR-100 pair: vgg13 (teacher) -> vgg8 (student).
from mmengine.config import read_base

with read_base():
    from ..models.cifar100.vgg8 import model as student
    from ..models.cifar100.vgg13 import model as teacher
    from .cifar100 import *  # noqa: F401,F403

model.update(  # noqa: F405
    architecture=student,
    teacher=teacher,
    # vgg13_vanilla/ckpt_epoch_240.pth of mdistiller's
    # cifar_teachers.tar, converted (see cifar100.py)
    teacher_ckpt='checkpoints/vgg13_cifar100.pth')
# the pair's DKD beta 6 (mdistiller configs/cifar100/dkd/vgg13_vgg8.yaml),
# used by DKD, SD-DKD and AEKT
# SDD: same-family pair: M = (1, 2) (SDD paper and scripts)
pair.update(dkd_beta=6.0, sdd_scales=(1, 2))  # noqa: F405
del student, teacher
