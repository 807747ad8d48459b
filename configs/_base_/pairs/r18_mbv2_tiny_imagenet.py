# Tiny-ImageNet pair: ResNet18 (teacher) -> MobileNetV2 (student).
from mmengine.config import read_base

with read_base():
    from ..models.tiny_imagenet.MobileNetV2 import model as student
    from ..models.tiny_imagenet.ResNet18 import model as teacher
    from .tiny_imagenet import *  # noqa: F401,F403

model.update(  # noqa: F405
    architecture=student,
    teacher=teacher,
    # trained with configs/vanilla_ResNet18_tiny_imagenet.py (see
    # tiny_imagenet.py)
    teacher_ckpt='checkpoints/ResNet18_tiny_imagenet.pth')
# the pair's DKD beta 8 (no published Tiny-ImageNet DKD setting: the
# mdistiller default), used by DKD, SD-DKD and AEKT
# SDD: cross-family pair: M = (1, 2, 4) (SDD paper and scripts)
pair.update(dkd_beta=8.0, sdd_scales=(1, 2, 4))  # noqa: F405
del student, teacher
