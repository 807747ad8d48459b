# DKD (Zhao et al., "Decoupled Knowledge Distillation", CVPR 2022) with
# mmrazor's DKDLoss (reduction='batchmean': mmrazor's 'mean' sums over the
# batch).
# Defaults: mdistiller's DKD setting (mdistiller/engine/cfg.py), which its
# CIFAR-100 configs change only in beta: T=4, alpha=1, beta=8, student CE
# weight 1, warm-up 20 epochs. Pair configs set the pair's beta (2 for
# resnet56/resnet110 teachers, 6 for most VGG13/WRN pairs); ImageNet configs
# set T=1, beta 0.5 (R34 -> R18) / 2 (R50 -> MobileNet-V1), warm-up 1.
from mmengine.config import read_base

with read_base():
    from .skeleton import *  # noqa: F401,F403

distill.distiller.distill_losses = dict(  # noqa: F405
    loss_dkd=dict(dkd_settings, type='DKDLoss'))  # noqa: F405
distill.distiller.loss_forward_mappings = dict(  # noqa: F405
    loss_dkd=logit_label_mapping)  # noqa: F405
custom_hooks = custom_hooks + [warmup_hook]  # noqa: F405
