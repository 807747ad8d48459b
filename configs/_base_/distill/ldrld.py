# LDRLD (Xu et al., "Local Dense Logit Relations for Enhanced Knowledge
# Distillation", ICCV 2025, arXiv 2507.15911) with our LDRLDLoss.
# The one published setting (ResNet32x4 -> ResNet8x4 on CIFAR-100): T=4,
# d=7, alpha=10.5, beta=7, ADW constants eps=1.5, delta=2, lambda=0.05, no
# loss warm-up. No per-pair values were found, so every CIFAR-100 and
# Tiny-ImageNet pair uses it; the student CE weight is 1 (the DKD/RLD
# convention; not stated in the sources we could reach). ImageNet configs
# set T=1 as the KD/DKD/RLD ImageNet recipes (docs/methods/ldrld.md).
from mmengine.config import read_base

with read_base():
    from .skeleton import *  # noqa: F401,F403

distill.distiller.distill_losses = dict(  # noqa: F405
    loss_ldrld=dict(
        type='LDRLDLoss',
        tau=4.0,
        topk=7,
        alpha=10.5,
        beta=7.0,
        irw_eps=1.5,
        erd_scale=2.0,
        erd_decay=0.05,
        reduction='batchmean',
        loss_weight=1.0))
distill.distiller.loss_forward_mappings = dict(  # noqa: F405
    loss_ldrld=logit_mapping)  # noqa: F405
