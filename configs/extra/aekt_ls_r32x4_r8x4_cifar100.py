# AEKT (reconstruction) + logit standardization: resnet32x4 -> resnet8x4 on
# CIFAR-100. A COMBINATION WITH NO PUBLISHED NUMBER.
# Logit standardization (Sun et al., "Logit Standardization in Knowledge
# Distillation", CVPR 2024): the student's and the teacher's logits (head.fc,
# the distillation logits) are z-scored before the softmax, see
# docs/methods/logit_standardization.md. Settings BY ANALOGY with the LS
# authors' DKD + LS on this pair (AEKT re-weights DKD's two terms): T=2,
# alpha = 1 x 9, beta = 8 x 9, loss warm-up 20 epochs, student CE weight 1,
# the SerialClsHead of the AEKT configs.
from mmengine.config import read_base

with read_base():
    from .._base_.distill.aekt import *  # noqa: F401,F403
    from .._base_.pairs.r32x4_r8x4_cifar100 import *  # noqa: F401,F403

model.merge(method)  # noqa: F405
model.distiller.distill_losses.loss_aekt.update(  # noqa: F405
    tau=2.0, alpha=9.0, beta=72.0)
model.distiller.warmup = dict(epochs=20)  # noqa: F405
model.distiller.logit_standardization = True  # noqa: F405
del method, pair  # noqa: F821
