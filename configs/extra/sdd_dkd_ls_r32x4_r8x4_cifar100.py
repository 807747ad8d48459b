# SD-DKD + logit standardization: resnet32x4 -> resnet8x4 on CIFAR-100.
# A COMBINATION WITH NO PUBLISHED NUMBER.
# Logit standardization (Sun et al., "Logit Standardization in Knowledge
# Distillation", CVPR 2024): every region logit of the student and the
# teacher is z-scored over the classes before the softmax, see
# docs/methods/logit_standardization.md. Settings BY ANALOGY with the LS
# authors' DKD + LS on this pair (T=2, alpha = 1 x 9, beta = 8 x 9) on the
# SD-DKD recipe of the pair (scales M = (1, 2), complementary weight 2,
# gradient clipping at 40, loss warm-up 20 epochs, student CE weight 1).
from mmengine.config import read_base

with read_base():
    from .._base_.distill.sdd_dkd import *  # noqa: F401,F403
    from .._base_.pairs.r32x4_r8x4_cifar100 import *  # noqa: F401,F403

model.merge(method)  # noqa: F405
model.distiller.distill_losses.loss_sdd.update(  # noqa: F405
    tau=2.0, alpha=9.0, beta=72.0)
model.distiller.student_recorders.regions.scales = pair.sdd_scales  # noqa
model.distiller.teacher_recorders.regions.scales = pair.sdd_scales  # noqa
optim_wrapper.clip_grad = clip_grad  # noqa: F405
model.distiller.warmup = dict(epochs=20)  # noqa: F405
model.distiller.logit_standardization = True  # noqa: F405
del method, pair, clip_grad  # noqa: F821
