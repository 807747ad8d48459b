# DKD (Zhao et al., "Decoupled Knowledge Distillation", CVPR 2022) with our
# DKDLoss, exact to mdistiller's dkd_loss. mdistiller's DKD setting
# (mdistiller/engine/cfg.py): alpha=1, student CE weight 1; T (4 / ImageNet
# 1), beta (per pair: mdistiller's configs/cifar100/dkd/*.yaml, default 8)
# and the loss warm-up (20 epochs / ImageNet 1) are the pair's, applied by
# the leaf config.
from mmengine.config import read_base

from mmkd_logits.models import DKDLoss

with read_base():
    from .mappings import logits_labels

method = dict(
    distiller=dict(
        distill_losses=dict(loss_dkd=dict(type=DKDLoss, alpha=1.0)),
        loss_forward_mappings=dict(loss_dkd=logits_labels)))
del logits_labels
