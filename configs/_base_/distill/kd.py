# KD (Hinton et al., 2015) with our KDLoss, exact to mdistiller's kd_loss.
# mdistiller's KD setting (mdistiller/engine/cfg.py), used by its CIFAR-100
# configs and by DOT's Tiny-ImageNet ones: T=4, KD weight 0.9, student CE
# weight 0.1, no warm-up; ImageNet: T=1, 0.5 / 0.5 (configs/imagenet/*/kd.
# yaml). T and the two weights are the dataset's (`pair` of the pair
# configs), applied by the leaf config.
from mmengine.config import read_base

from mmkd_logits.models import KDLoss

with read_base():
    from .mappings import logits

method = dict(
    distiller=dict(
        distill_losses=dict(loss_kd=dict(type=KDLoss)),
        loss_forward_mappings=dict(loss_kd=logits)))
del logits
