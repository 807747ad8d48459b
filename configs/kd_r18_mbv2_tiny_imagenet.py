# KD: ResNet18 -> MobileNetV2 on Tiny-ImageNet.
# DOT's Tiny-ImageNet KD baseline (mdistiller configs/tiny_imagenet/dot/*.yaml)
# runs mdistiller's KD defaults T=4, KD weight 0.9, CE weight 0.1, as
# _base_/distill/kd.py.
from mmengine.config import read_base

with read_base():
    from ._base_.pairs.r18_mbv2_tiny_imagenet import *  # noqa: F401,F403
    from ._base_.distill.kd import *  # noqa: F401,F403

model.merge(distill)  # noqa: F405
