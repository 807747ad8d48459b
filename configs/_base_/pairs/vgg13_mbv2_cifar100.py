# CIFAR-100 pair: vgg13 (teacher) -> MobileNetV2 (student).
from mmengine.config import read_base

with read_base():
    from .cifar100 import *  # noqa: F401,F403
    from ..models.cifar100.MobileNetV2 import model as student
    from ..models.cifar100.vgg13 import model as teacher

# vgg13_vanilla/ckpt_epoch_240.pth of mdistiller's cifar_teachers.tar,
# converted (see cifar100.py)
teacher_ckpt = 'checkpoints/vgg13_cifar100.pth'
model.update(  # noqa: F405
    architecture=student, teacher=teacher, teacher_ckpt=teacher_ckpt)
# ShuffleNet / MobileNet student: lr 0.01 (the mdistiller / SDD / RLD configs)
optim_wrapper.optimizer.lr = 0.01  # noqa: F405
