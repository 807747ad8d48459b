# Fashion-MNIST pair of the demo: resnet14 (teacher) -> resnet8 (student),
# both of the CIFAR zoo with a 10-class head. The distillation model is the
# CIFAR-100 one (mmrazor's SingleTeacherDistill with our LogitDistiller,
# recording the logits and labels); the data, the 5-epoch schedule and the
# recipe values in `pair` are the demo's. Every leaf config
# (<method>_r14_r8_fashion_mnist.py) applies the values its method uses and
# deletes `pair`, as the CIFAR-100 leaves do.
#
# Why these networks: the whole demo (teacher + 8 student configs x 3
# seeds) has to train in about an hour on 2 CPU cores. One training step on
# 64 images, one thread: resnet8 0.15 s, resnet14 0.26 s, resnet20 0.54 s
# (forward only: 0.03 / 0.06 / 0.15 s); a resnet20 teacher would add
# ~50 % to every distillation step.
#
# Teacher: train it first (two-step recipe, see README "Fashion-MNIST
# demo"):
#   python tools/sweep.py \
#       configs/fashion_mnist/vanilla_resnet14_fashion_mnist.py --seeds 1
# which writes the checkpoint named below; with another --work-root, pass
#   --cfg-options model.teacher_ckpt=<work root>/\
#       vanilla_resnet14_fashion_mnist/seed0/epoch_15.pth
from mmengine.config import read_base

with read_base():
    from ..._base_.distill_runtime import *  # noqa: F401,F403
    from ..._base_.models.cifar100.resnet8 import model as student
    from ..._base_.models.cifar100.resnet14 import model as teacher
    from ..._base_.pairs.cifar100 import model  # noqa: F401
    from .fashion_mnist_bs64 import *  # noqa: F401,F403
    from .schedule_5e import *  # noqa: F401,F403

student.head.num_classes = 10
teacher.head.num_classes = 10
model.update(  # noqa: F405
    architecture=student,
    teacher=teacher,
    # the last checkpoint of the teacher config's run, seed 0, in the work
    # root of tools/sweep.py (relative to the repository root)
    teacher_ckpt='work_dirs/vanilla_resnet14_fashion_mnist/seed0/'
    'epoch_15.pth')
default_hooks.logger.interval = 20  # noqa: F405

pair = dict(
    # temperature of KD, DKD, RLD, LDRLD, SD-KD, SD-DKD and AEKT: the
    # CIFAR-100 value
    tau=4.0,
    # loss warm-up of DKD, RLD, SD-DKD and AEKT: CIFAR-100's 20 of 240
    # epochs would be under one epoch here (a factor of 1 from the start);
    # 2 epochs keep a gentler first epoch (x 0.5, then x 1)
    warmup=2,
    # DKD's beta (DKD, SD-DKD, AEKT): 2, as mdistiller's CIFAR-100 pair
    # closest to this one (resnet56 -> resnet20: a thin resnet student of
    # the teacher's family)
    dkd_beta=2.0,
    # RLD's beta: the RLD authors' default
    rld_beta=8.0,
    # KD: distillation weight 0.9, student CE 0.1 (mdistiller's defaults)
    kd_weight=0.9,
    kd_ce_weight=0.1,
    # SDD: same-family pair, M = (1, 2) (SDD paper and scripts); the 32x32
    # input gives resnet8 an 8x8 final map, pooled to the 4x4 region grid
    sdd_scales=(1, 2))
del student, teacher
