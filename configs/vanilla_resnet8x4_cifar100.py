# Train the CIFAR-100 resnet8x4 from scratch with plain cross-entropy
# (the CRD / mdistiller teacher recipe: 240 epochs, batch 64, SGD lr 0.05).
#   python tools/train.py configs/vanilla_resnet8x4_cifar100.py
from mmengine.config import read_base

with read_base():
    from ._base_.datasets.cifar100_bs64 import *  # noqa: F401,F403
    from ._base_.default_runtime import *  # noqa: F401,F403
    from ._base_.models.cifar100.resnet8x4 import *  # noqa: F401,F403
    from ._base_.schedules.cifar100_240e import *  # noqa: F401,F403
