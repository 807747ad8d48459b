# The teacher of the Fashion-MNIST demo: resnet14 of the CIFAR zoo trained
# with plain cross-entropy on the students' data (500 images per class) for
# 15 epochs, three times the students' 5 (seed 0: 88.5 % top-1 on the 2,000
# test images; the student alone: 80.6 ± 1.3 % over 3 seeds).
#   python tools/sweep.py \
#       configs/fashion_mnist/vanilla_resnet14_fashion_mnist.py --seeds 1
# writes work_dirs/vanilla_resnet14_fashion_mnist/seed0/epoch_15.pth, the
# teacher_ckpt of the student configs (_base_/r14_r8.py).
from mmengine.config import read_base

with read_base():
    from .._base_.default_runtime import *  # noqa: F401,F403
    from .._base_.models.cifar100.resnet14 import *  # noqa: F401,F403
    from ._base_.fashion_mnist_bs64 import *  # noqa: F401,F403
    from ._base_.schedule_5e import *  # noqa: F401,F403

model.head.num_classes = 10  # noqa: F405
val_cfg = dict()
default_hooks.logger.interval = 20  # noqa: F405
train_cfg.max_epochs = 15  # noqa: F405
param_scheduler.T_max = 15  # noqa: F405
