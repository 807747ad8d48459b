# CIFAR-100 pair: wrn_40_2 (teacher) -> wrn_16_2 (student).
from mmengine.config import read_base

with read_base():
    from .cifar100 import *  # noqa: F401,F403
    from ..models.cifar100.wrn_16_2 import model as student
    from ..models.cifar100.wrn_40_2 import model as teacher

# wrn_40_2_vanilla/ckpt_epoch_240.pth of mdistiller's cifar_teachers.tar,
# converted (see cifar100.py)
teacher_ckpt = 'checkpoints/wrn_40_2_cifar100.pth'
model.update(  # noqa: F405
    architecture=student, teacher=teacher, teacher_ckpt=teacher_ckpt)
