# KD + logit standardization: wrn_40_2 -> wrn_40_1 on CIFAR-100.
# Logit standardization (Sun et al., "Logit Standardization in Knowledge
# Distillation", CVPR 2024): the student's and the teacher's logits are
# z-scored before the softmax, see docs/methods/logit_standardization.md.
# The authors' setting (sunshangquan/logit-standardization-KD): their KD
# config of the pair run with --logit-stand, at the base temperature and KD
# weight of the training log their README links to the published number,
# logs/KD/kd,wrn_40_2,wrn_40_1,2,9.txt (named
# KD_TYPE,TEACHER,STUDENT,BASE_TEMPERATURE,KD_WEIGHT): T=2 on the
# standardized logits, KD weight 9; student CE weight 0.1 (their cfg.py); the
# pair's data and schedule. Published top-1: 74.37 (their README, CIFAR-100
# table).
from mmengine.config import read_base

with read_base():
    from .._base_.distill.kd import *  # noqa: F401,F403
    from .._base_.pairs.wrn40_2_wrn40_1_cifar100 import *  # noqa: F401,F403

model.merge(method)  # noqa: F405
model.architecture.head.loss.loss_weight = 0.1  # noqa: F405
model.distiller.distill_losses.loss_kd.update(  # noqa: F405
    tau=2.0, loss_weight=9.0)
model.distiller.logit_standardization = True  # noqa: F405
del method, pair  # noqa: F821
