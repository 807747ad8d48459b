# RLD (Sun et al., "Knowledge Distillation with Refined Logits", arXiv
# 2408.07703) with our RLDLoss. The authors' setting (github.com/zju-SWJ/RLD:
# the RLD section of mdistiller/engine/cfg.py and the README's command
# `RLD.ALPHA 1. RLD.BETA 8. RLD.T 4. --same-t`): alpha=1, alpha_tau = T,
# student CE weight 1; T (4 / ImageNet 1), beta (8 for every CIFAR-100 pair:
# their per-pair configs change only the lr; ImageNet: the pair's DKD beta,
# configs/imagenet/*/rld.yaml) and the warm-up (20 / ImageNet 1) are the
# pair's, applied by the leaf config.
from mmengine.config import read_base

from mmkd_logits.models import RLDLoss

with read_base():
    from .mappings import logits_labels

method = dict(
    distiller=dict(
        distill_losses=dict(
            loss_rld=dict(type=RLDLoss, alpha=1.0, alpha_tau=None)),
        loss_forward_mappings=dict(loss_rld=logits_labels)))
del logits_labels
