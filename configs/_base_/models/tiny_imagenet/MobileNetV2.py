# Tiny-ImageNet MobileNetV2 (DOT's student): mdistiller's full-width
# `mv2_tinyimagenet` network, not the half-width CIFAR one --
# TinyImageNetMobileNetV2, registered as `TinyImageNet_MobileNetV2`
# (mmkd_logits.models.backbones.mobilenetv2_tiny_imagenet): a 1280x9x9 map for
# 64x64 inputs, 2,497,480 parameters with 200 classes.
from mmengine.config import read_base

from mmkd_logits.models.backbones import TinyImageNetMobileNetV2

with read_base():
    from ..cifar100.MobileNetV2 import model

model.backbone = dict(type=TinyImageNetMobileNetV2)
model.head.num_classes = 200
