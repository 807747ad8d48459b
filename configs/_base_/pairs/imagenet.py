# What every ImageNet-1K teacher -> student pair shares: the data (8 GPUs x
# 64 = 512), the 100-epoch schedule (lr 0.2), the distillation runtime, the
# distillation model (distill/model.py) and the recipe values of the
# ImageNet experiments in `pair`. A pair config adds the student, the
# teacher and teacher_ckpt. The teachers are mmpretrain's published ResNets
# (URLs in the pair configs); DKD / SDD / RLD used torchvision's (73.31 /
# 76.16 top-1).
from mmengine.config import read_base

with read_base():
    from ..datasets.imagenet_bs64 import *  # noqa: F401,F403
    from ..distill.model import *  # noqa: F401,F403
    from ..distill_runtime import *  # noqa: F401,F403
    from ..schedules.imagenet_100e import *  # noqa: F401,F403

pair = dict(
    # T=1 for KD, DKD, RLD, SD-DKD and AEKT (mdistiller's and the RLD / SDD
    # authors' ImageNet configs); LDRLD has no published ImageNet setting
    # and uses the same
    tau=1.0,
    # loss warm-up 1 epoch (their ImageNet configs): min(epoch / 1, 1) with
    # 1-based epochs is a factor of 1 from the first step
    warmup=1,
    dkd_beta=0.5,  # set by each pair config
    rld_beta=0.5,  # the RLD authors use the pair's DKD beta
    # KD: weight 0.5, student CE 0.5 (mdistiller configs/imagenet/*/kd.yaml)
    kd_weight=0.5,
    kd_ce_weight=0.5,
    sdd_scales=(1, 2, 4),  # set by each pair config
    # LDRLD has no ImageNet code: the standard schedule
    ldrld_param_scheduler=param_scheduler)  # noqa: F405
