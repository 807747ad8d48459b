# ImageNet-1K pair: ResNet-50 (teacher, mmpretrain's) -> MobileNet-V1
# (student, our MobileNetV1 backbone). Same schedule as R34 -> R18 (lr 0.2
# for 512 images: mdistiller configs/imagenet/r50_mv1/*.yaml).
from mmengine.config import read_base

with read_base():
    from .imagenet import *  # noqa: F401,F403
    from ..models.imagenet.mobilenet_v1 import model as student
    from ..models.imagenet.resnet50 import model as teacher

# mmpretrain's published ResNet-50 (76.55 top-1); set a local path to use a
# downloaded copy: --cfg-options model.teacher_ckpt=/path/to/resnet50.pth
teacher_ckpt = 'https://download.openmmlab.com/mmclassification/v0/resnet/resnet50_8xb32_in1k_20210831-ea4938fc.pth'  # noqa: E501
model.update(  # noqa: F405
    architecture=student, teacher=teacher, teacher_ckpt=teacher_ckpt)
