# Tiny-ImageNet pair: ResNet18 (teacher) -> ShuffleV2 (student), the networks
# of DOT's Tiny-ImageNet experiments (mdistiller's tiny_imagenet_model_dict).
from mmengine.config import read_base

with read_base():
    from .tiny_imagenet import *  # noqa: F401,F403
    from ..models.tiny_imagenet.ShuffleV2 import model as student
    from ..models.tiny_imagenet.ResNet18 import model as teacher

# trained with configs/vanilla_ResNet18_tiny_imagenet.py (see tiny_imagenet.py)
teacher_ckpt = 'checkpoints/ResNet18_tiny_imagenet.pth'
model.update(  # noqa: F405
    architecture=student, teacher=teacher, teacher_ckpt=teacher_ckpt)
