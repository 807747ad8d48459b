# RLD + logit standardization: resnet32x4 -> resnet8x4 on CIFAR-100.
# A COMBINATION WITH NO PUBLISHED NUMBER.
# Logit standardization (Sun et al., "Logit Standardization in Knowledge
# Distillation", CVPR 2024): the student's and the teacher's logits are
# z-scored before the softmax, see docs/methods/logit_standardization.md.
# The RLD authors' code keeps the LS option (zju-SWJ/RLD, tools/train.py
# --logit-stand): T and alpha_T = base temperature 2, RLD's alpha and beta
# x KD weight 9 (the flag defaults), on their RLD setting alpha 1, beta 8:
# T=2, alpha_tau=2, alpha=9, beta=72; student CE weight 1, loss warm-up 20
# epochs (their cfg.py). Neither paper reports RLD + LS.
from mmengine.config import read_base

with read_base():
    from .._base_.distill.rld import *  # noqa: F401,F403
    from .._base_.pairs.r32x4_r8x4_cifar100 import *  # noqa: F401,F403

model.merge(method)  # noqa: F405
model.distiller.distill_losses.loss_rld.update(  # noqa: F405
    tau=2.0, alpha_tau=2.0, alpha=9.0, beta=72.0)
model.distiller.warmup = dict(epochs=20)  # noqa: F405
model.distiller.logit_standardization = True  # noqa: F405
del method, pair  # noqa: F821
