# Tiny-ImageNet MobileNetV2 (DOT's student): mdistiller's full-width
# `mv2_tinyimagenet` network, not the half-width CIFAR one -- registered as
# `TinyImageNet_MobileNetV2` (mmkd_logits.models.backbones
# .mobilenetv2_tiny_imagenet): a 1280x9x9 map for 64x64 inputs, 2,497,480
# parameters with 200 classes.
from mmengine.config import read_base

with read_base():
    from ..cifar100.MobileNetV2 import *  # noqa: F401,F403

model.backbone = dict(type='TinyImageNet_MobileNetV2')  # noqa: F405
model.head.num_classes = 200  # noqa: F405
