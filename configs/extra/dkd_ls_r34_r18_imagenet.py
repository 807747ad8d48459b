# DKD + logit standardization: ResNet-34 -> ResNet-18 on ImageNet-1K.
# Logit standardization (Sun et al., "Logit Standardization in Knowledge
# Distillation", CVPR 2024): the student's and the teacher's logits are
# z-scored before the softmax, see docs/methods/logit_standardization.md.
# The authors' code (sunshangquan/logit-standardization-KD) gives no
# command, log or number for DKD on ImageNet; this is their --logit-stand
# rule (tools/train.py: T = base temperature 2, DKD's alpha and beta x KD
# weight 9, the defaults of --base-temp / --kd-weight) applied to their
# configs/imagenet/r34_r18/dkd.yaml (alpha 1, beta 0.5, CE weight 1, loss
# warm-up 1 epoch): T=2, alpha=9, beta=4.5. No published number recovered.
from mmengine.config import read_base

with read_base():
    from .._base_.distill.dkd import *  # noqa: F401,F403
    from .._base_.pairs.r34_r18_imagenet import *  # noqa: F401,F403

model.merge(method)  # noqa: F405
model.distiller.distill_losses.loss_dkd.update(  # noqa: F405
    tau=2.0, alpha=9.0, beta=4.5)
model.distiller.warmup = dict(epochs=1)  # noqa: F405
model.distiller.logit_standardization = True  # noqa: F405
del method, pair  # noqa: F821
