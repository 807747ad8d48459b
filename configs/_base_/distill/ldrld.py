# LDRLD (Xu et al., "Local Dense Logit Relations for Enhanced Knowledge
# Distillation", ICCV 2025, arXiv 2507.15911) with our LDRLDLoss.
# The one published setting (ResNet32x4 -> ResNet8x4 on CIFAR-100): d=7,
# alpha=10.5, beta=7, ADW constants eps=1.5, delta=2, lambda=0.05, no loss
# warm-up; the student CE weight 1 (the authors' train_student.py,
# `--gamma 1`). No per-pair values were found, so every pair uses it. T is
# the pair's (4; ImageNet 1, not published), applied by the leaf config. On
# CIFAR-100 and Tiny-ImageNet the leaf configs also import the authors'
# learning-rate warm-up (schedules/*_lr_warmup.py).
from mmengine.config import read_base

from mmkd_logits.models import LDRLDLoss

with read_base():
    from .mappings import logits

method = dict(
    distiller=dict(
        distill_losses=dict(
            loss_ldrld=dict(
                type=LDRLDLoss,
                topk=7,
                alpha=10.5,
                beta=7.0,
                irw_eps=1.5,
                erd_scale=2.0,
                erd_decay=0.05)),
        loss_forward_mappings=dict(loss_ldrld=logits)))
del logits
