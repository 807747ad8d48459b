# What every CIFAR-100 teacher -> student pair shares: the data (batch 64,
# crop + flip), the 240-epoch schedule (lr 0.05), the distillation runtime
# and the model's data preprocessor. A pair config (<teacher>_<student>_
# cifar100.py) adds the student, the teacher, teacher_ckpt and, for
# ShuffleNet / MobileNet students, lr 0.01.
#
# Teachers: the CRD / mdistiller CIFAR-100 teachers, published in
# mdistiller's `cifar_teachers.tar`
# (https://github.com/megvii-research/mdistiller/releases/tag/checkpoints,
# `<arch>_vanilla/ckpt_epoch_240.pth`). Convert each once, e.g.
#   python tools/convert_mdistiller_ckpt.py resnet32x4 \
#       cifar_teachers/resnet32x4_vanilla/ckpt_epoch_240.pth \
#       checkpoints/resnet32x4_cifar100.pth
# which is where the pair configs look (`teacher_ckpt`; or pass
# --cfg-options model.teacher_ckpt=PATH), or train one with
# configs/vanilla_<arch>_cifar100.py.
from mmengine.config import read_base

with read_base():
    from ..datasets.cifar100_bs64 import *  # noqa: F401,F403
    from ..schedules.cifar100_240e import *  # noqa: F401,F403
    from ..distill_runtime import *  # noqa: F401,F403

model = dict(
    data_preprocessor=dict(
        type='mmpretrain.ClsDataPreprocessor',
        **data_preprocessor))  # noqa: F405
