# Tiny-ImageNet ResNet18 (the teacher of DOT's Tiny-ImageNet pairs): the
# CIFAR ResNet18 of the CRD/mdistiller zoo (3x3 stride-1 stem, no max-pool;
# mdistiller's tiny_imagenet_model_dict uses it as is) with 200 classes: a
# 512x8x8 map for 64x64 inputs, pooled globally as in the original
# (AdaptiveAvgPool2d). 11,271,432 parameters.
from mmengine.config import read_base

with read_base():
    from ..cifar100.ResNet18 import model

model.head.num_classes = 200
