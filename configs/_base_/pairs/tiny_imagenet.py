# What every Tiny-ImageNet teacher -> student pair shares: the data (64x64,
# 4 GPUs x 64 = 256), the 200-epoch schedule of DOT's Tiny-ImageNet configs
# (lr 0.2 for every student, also MobileNetV2 and ShuffleV2), the
# distillation runtime, the distillation model (distill/model.py)
# and the recipe values in `pair`. Only KD has a published Tiny-ImageNet
# setting (DOT: mdistiller's KD defaults); the other methods use their
# CIFAR-100 defaults.
#
# Teacher: the Tiny-ImageNet ResNet18. mdistiller's code loads it from
# download_ckpts/tiny_imagenet_teachers/ResNet18_vanilla/ti_res18, but we
# found no published download for it: train it with
#   python tools/train.py configs/vanilla_ResNet18_tiny_imagenet.py
# and copy (or link) its best checkpoint to
# checkpoints/ResNet18_tiny_imagenet.pth, where the pair configs look (or
# pass --cfg-options model.teacher_ckpt=PATH).
from mmengine.config import read_base

with read_base():
    from ..datasets.tiny_imagenet_bs64 import *  # noqa: F401,F403
    from ..distill.model import *  # noqa: F401,F403
    from ..distill_runtime import *  # noqa: F401,F403
    from ..schedules.tiny_imagenet_200e import *  # noqa: F401,F403
    from ..schedules.tiny_imagenet_200e_lr_warmup import \
        lr_warmup_param_scheduler
    from .cifar100 import pair as cifar100_pair

# the CIFAR-100 values (see cifar100.py), with LDRLD's lr warm-up on this
# schedule
pair = dict(cifar100_pair, ldrld_param_scheduler=lr_warmup_param_scheduler)
del cifar100_pair, lr_warmup_param_scheduler
