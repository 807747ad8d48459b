# AEKT (reconstruction): ResNet50 -> vgg8 on CIFAR-100.
# By analogy with DKD: the pair's DKD beta 8 (the default; SDD
# configs/cifar100/sdd_dkd/res50_vgg8.yaml sets none).
from mmengine.config import read_base

with read_base():
    from ._base_.pairs.r50_vgg8_cifar100 import *  # noqa: F401,F403
    from ._base_.distill.aekt import *  # noqa: F401,F403

model.merge(distill)  # noqa: F405
