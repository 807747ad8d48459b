# What every CIFAR-100 teacher -> student pair shares: the data (batch 64,
# crop + flip), the 240-epoch schedule (lr 0.05), the distillation runtime,
# the distillation model (distill/model.py: mmrazor's
# SingleTeacherDistill with our LogitDistiller) and the recipe values of
# the CIFAR-100 experiments in `pair`. A pair config
# (<teacher>_<student>_cifar100.py) adds the student, the teacher,
# teacher_ckpt and its own values; each leaf config applies the values its
# method uses and deletes `pair`.
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
    from ..distill.model import *  # noqa: F401,F403
    from ..distill_runtime import *  # noqa: F401,F403
    from ..schedules.cifar100_240e import *  # noqa: F401,F403
    from ..schedules.cifar100_240e_lr_warmup import lr_warmup_param_scheduler

pair = dict(
    # temperature of KD, DKD, RLD, LDRLD, SD-DKD and AEKT (mdistiller's
    # cfg.py defaults, the RLD / SDD / LDRLD code)
    tau=4.0,
    # loss warm-up of DKD, RLD, SD-DKD (and AEKT by analogy): x min(epoch /
    # 20, 1), 1-based epochs (mdistiller / RLD / SDD trainers)
    warmup=20,
    # DKD's beta (mdistiller's default); pair configs set theirs
    dkd_beta=8.0,
    # RLD's beta: the RLD authors' CIFAR-100 default for every pair (their
    # per-pair configs change only the lr)
    rld_beta=8.0,
    # KD: distillation weight 0.9, student CE 0.1 (mdistiller's defaults)
    kd_weight=0.9,
    kd_ce_weight=0.1,
    # SDD scales, set by each pair config
    sdd_scales=(1, 2, 4),
    # LDRLD: the authors' learning-rate warm-up (see the schedule file)
    ldrld_param_scheduler=lr_warmup_param_scheduler)
del lr_warmup_param_scheduler
