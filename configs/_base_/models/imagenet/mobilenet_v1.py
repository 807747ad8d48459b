# MobileNet-V1 for ImageNet-1K (the student of R50 -> MobileNet-V1): our
# `MobileNetV1` backbone (mmkd_logits.models.backbones.mobilenet_v1, the
# network of the CRD/mdistiller ImageNet experiments; 4,231,976 parameters,
# a 1024x7x7 map for 224x224 inputs) with the classifier of resnet18.py
# (global average pooling + linear head, 1000 classes).
from mmengine.config import read_base

from mmkd_logits.models.backbones import MobileNetV1

with read_base():
    from .resnet18 import model

model.backbone = dict(type=MobileNetV1)
model.head.in_channels = 1024
