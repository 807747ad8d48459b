# RLD (Sun et al., "Knowledge Distillation with Refined Logits", arXiv
# 2408.07703) with our RLDLoss.
# Defaults: the authors' CIFAR-100 setting (github.com/zju-SWJ/RLD: the RLD
# section of mdistiller/engine/cfg.py and the README's command
# `RLD.ALPHA 1. RLD.BETA 8. RLD.T 4. --same-t`): alpha=1, beta=8, T=4,
# alpha_tau = T, student CE weight 1, warm-up 20 epochs. Their per-pair
# CIFAR-100 configs (configs/cifar100/rld/*.yaml) set only the learning
# rate, so every CIFAR-100 pair uses these values. ImageNet configs set T=1,
# beta 0.5 (R34 -> R18) / 2 (R50 -> MobileNet-V1), warm-up 1 (the authors'
# configs/imagenet/*/rld.yaml).
from mmengine.config import read_base

with read_base():
    from .skeleton import *  # noqa: F401,F403

distill.distiller.distill_losses = dict(  # noqa: F405
    loss_rld=dict(dkd_settings, type='RLDLoss', alpha_tau=None))  # noqa
distill.distiller.loss_forward_mappings = dict(  # noqa: F405
    loss_rld=logit_label_mapping)  # noqa: F405
custom_hooks = custom_hooks + [warmup_hook]  # noqa: F405
