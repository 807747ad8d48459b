# The student alone on Fashion-MNIST: resnet8 of the CIFAR zoo trained with
# plain cross-entropy, the students' data and schedule (5 epochs on 500
# images per class) -- the baseline every distilled student is compared to.
#   python tools/sweep.py \
#       configs/fashion_mnist/vanilla_resnet8_fashion_mnist.py --seeds 3
from mmengine.config import read_base

with read_base():
    from .._base_.default_runtime import *  # noqa: F401,F403
    from .._base_.models.cifar100.resnet8 import *  # noqa: F401,F403
    from ._base_.fashion_mnist_bs64 import *  # noqa: F401,F403
    from ._base_.schedule_5e import *  # noqa: F401,F403

model.head.num_classes = 10  # noqa: F405
val_cfg = dict()
default_hooks.logger.interval = 20  # noqa: F405
