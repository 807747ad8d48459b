# DKD + logit standardization: resnet32x4 -> ShuffleV2 on CIFAR-100.
# Logit standardization (Sun et al., "Logit Standardization in Knowledge
# Distillation", CVPR 2024): the student's and the teacher's logits are
# z-scored before the softmax, see docs/methods/logit_standardization.md.
# The authors' setting (sunshangquan/logit-standardization-KD): their DKD
# config of the pair run with --logit-stand, which sets T to the base
# temperature and multiplies DKD's alpha and beta by the KD weight
# (tools/train.py), at the values of the training log their README links to
# the published number, logs/DKD/dkd,resnet32x4,ShuffleV2,2,9.txt
# (BASE_TEMPERATURE,KD_WEIGHT[,BETA]): T=2, weight 9, beta 8.0 (their cfg.py
# default, the log names none) -> alpha = 1 x 9, beta = 8.0 x 9; student CE
# weight 1, loss warm-up 20 epochs (their cfg.py); the pair's data and
# schedule. Published top-1: 77.37 (their README, CIFAR-100 table).
from mmengine.config import read_base

with read_base():
    from .._base_.distill.dkd import *  # noqa: F401,F403
    from .._base_.pairs.r32x4_shuv2_cifar100 import *  # noqa: F401,F403

model.merge(method)  # noqa: F405
model.distiller.distill_losses.loss_dkd.update(  # noqa: F405
    tau=2.0, alpha=9.0, beta=72.0)
model.distiller.warmup = dict(epochs=20)  # noqa: F405
model.distiller.logit_standardization = True  # noqa: F405
del method, pair  # noqa: F821
