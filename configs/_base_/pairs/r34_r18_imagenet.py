# ImageNet-1K pair: ResNet-34 (teacher) -> ResNet-18 (student), mmpretrain's
# ResNets.
from mmengine.config import read_base

with read_base():
    from .imagenet import *  # noqa: F401,F403
    from ..models.imagenet.resnet18 import model as student
    from ..models.imagenet.resnet34 import model as teacher

# mmpretrain's published ResNet-34 (73.62 top-1); set a local path to use a
# downloaded copy: --cfg-options model.teacher_ckpt=/path/to/resnet34.pth
teacher_ckpt = 'https://download.openmmlab.com/mmclassification/v0/resnet/resnet34_8xb32_in1k_20210831-f257d4e6.pth'  # noqa: E501
model.update(  # noqa: F405
    architecture=student, teacher=teacher, teacher_ckpt=teacher_ckpt)
