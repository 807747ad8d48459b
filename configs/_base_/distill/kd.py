# KD (Hinton et al., 2015) with mmrazor's KLDivergence (reduction='batchmean':
# mmrazor's 'mean' sums over the batch).
# Defaults: mdistiller's KD setting (mdistiller/engine/cfg.py), used by its
# CIFAR-100 configs and by DOT's Tiny-ImageNet configs: T=4, distillation
# weight 0.9, student cross-entropy weight 0.1; no warm-up.
# ImageNet configs override T=1, 0.5 / 0.5 (mdistiller
# configs/imagenet/*/kd.yaml).
from mmengine.config import read_base

with read_base():
    from .skeleton import *  # noqa: F401,F403

distill.architecture = dict(head=dict(loss=dict(loss_weight=0.1)))  # noqa
distill.distiller.distill_losses = dict(  # noqa: F405
    loss_kd=dict(
        type='KLDivergence', tau=4, loss_weight=0.9, reduction='batchmean'))
distill.distiller.loss_forward_mappings = dict(  # noqa: F405
    loss_kd=logit_mapping)  # noqa: F405
