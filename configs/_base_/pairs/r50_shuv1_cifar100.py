# CIFAR-100 pair: ResNet50 (teacher) -> ShuffleV1 (student).
from mmengine.config import read_base

with read_base():
    from ..models.cifar100.ResNet50 import model as teacher
    from ..models.cifar100.ShuffleV1 import model as student
    from .cifar100 import *  # noqa: F401,F403

model.update(  # noqa: F405
    architecture=student,
    teacher=teacher,
    # ResNet50_vanilla/ckpt_epoch_240.pth of mdistiller's
    # cifar_teachers.tar, converted (see cifar100.py)
    teacher_ckpt='checkpoints/ResNet50_cifar100.pth')
# the pair's DKD beta 8 (the default; SDD
# configs/cifar100/sdd_dkd/res50_shuv1.yaml sets none), used by DKD, SD-DKD
# and AEKT
# SDD: cross-family pair: M = (1, 2, 4) (SDD paper and scripts)
pair.update(dkd_beta=8.0, sdd_scales=(1, 2, 4))  # noqa: F405
# ShuffleNet / MobileNet student: lr 0.01 (the mdistiller / SDD / RLD / LDRLD
# code and configs)
optim_wrapper.optimizer.lr = 0.01  # noqa: F405
del student, teacher
