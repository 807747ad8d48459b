# What every Tiny-ImageNet teacher -> student pair shares: the data (64x64,
# 4 GPUs x 64 = 256), the 200-epoch schedule of DOT's Tiny-ImageNet configs
# (lr 0.2 for every student, also MobileNetV2 and ShuffleV2), the
# distillation runtime and the model's data preprocessor.
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
    from ..schedules.tiny_imagenet_200e import *  # noqa: F401,F403
    from ..distill_runtime import *  # noqa: F401,F403

model = dict(
    data_preprocessor=dict(
        type='mmpretrain.ClsDataPreprocessor',
        **data_preprocessor))  # noqa: F405
