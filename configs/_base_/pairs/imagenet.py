# What every ImageNet-1K teacher -> student pair shares: the data (8 GPUs x
# 64 = 512), the 100-epoch schedule (lr 0.2), the distillation runtime and
# the model's data preprocessor. A pair config adds the student, the teacher
# and teacher_ckpt. The teachers are mmpretrain's published ResNets (URLs in
# _base_/models/imagenet/resnet{34,50}.py); DKD/SDD/RLD used torchvision's
# (73.31 / 76.16 top-1).
from mmengine.config import read_base

with read_base():
    from ..datasets.imagenet_bs64 import *  # noqa: F401,F403
    from ..schedules.imagenet_100e import *  # noqa: F401,F403
    from ..distill_runtime import *  # noqa: F401,F403

model = dict(
    data_preprocessor=dict(
        type='mmpretrain.ClsDataPreprocessor',
        **data_preprocessor))  # noqa: F405
