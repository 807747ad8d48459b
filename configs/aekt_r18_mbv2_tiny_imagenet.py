# AEKT (reconstruction): ResNet18 -> MobileNetV2 on Tiny-ImageNet.
# No published Tiny-ImageNet setting for this method: its defaults
# (_base_/distill/aekt.py, the CIFAR-100 / mdistiller-default values).
from mmengine.config import read_base

with read_base():
    from ._base_.pairs.r18_mbv2_tiny_imagenet import *  # noqa: F401,F403
    from ._base_.distill.aekt import *  # noqa: F401,F403

model.merge(distill)  # noqa: F405
