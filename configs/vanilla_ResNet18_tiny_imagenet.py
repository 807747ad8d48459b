# Train the Tiny-ImageNet ResNet18 from scratch with plain cross-entropy.
# No published recipe for DOT's Tiny-ImageNet networks could be found; this
# uses the distillation runs' data and schedule (200 epochs, batch 256,
# SGD lr 0.2, x0.1 at 60/120/160, weight decay 5e-4), so that teacher,
# students and baselines share one recipe.
#   python tools/train.py configs/vanilla_ResNet18_tiny_imagenet.py
from mmengine.config import read_base

with read_base():
    from ._base_.datasets.tiny_imagenet_bs64 import *  # noqa: F401,F403
    from ._base_.default_runtime import *  # noqa: F401,F403
    from ._base_.models.tiny_imagenet.ResNet18 import *  # noqa: F401,F403
    from ._base_.schedules.tiny_imagenet_200e import *  # noqa: F401,F403
