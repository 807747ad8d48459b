# LDRLD + logit standardization: resnet32x4 -> resnet8x4 on CIFAR-100.
# A COMBINATION WITH NO PUBLISHED NUMBER.
# Logit standardization (Sun et al., "Logit Standardization in Knowledge
# Distillation", CVPR 2024): the student's and the teacher's logits are
# z-scored before the softmax, see docs/methods/logit_standardization.md.
# Settings BY ANALOGY with the LS authors' rule (T = base temperature 2,
# the distillation weights x KD weight 9): LDRLD's published setting of
# this pair (d=7, alpha=10.5, beta=7, ADW constants, student CE weight 1,
# the authors' learning-rate warm-up) at T=2 and loss_weight 9.
from mmengine.config import read_base

with read_base():
    from .._base_.distill.ldrld import *  # noqa: F401,F403
    from .._base_.pairs.r32x4_r8x4_cifar100 import *  # noqa: F401,F403

model.merge(method)  # noqa: F405
model.distiller.distill_losses.loss_ldrld.update(  # noqa: F405
    tau=2.0, loss_weight=9.0)
param_scheduler = pair.ldrld_param_scheduler  # noqa: F405
model.distiller.logit_standardization = True  # noqa: F405
del method, pair  # noqa: F821
