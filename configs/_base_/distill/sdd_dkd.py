# SD-DKD (Wei et al., "Scale Decoupled Distillation", CVPR 2024): DKD on
# every region logit of sdd.py, with the pair's DKD setting (the authors'
# configs/cifar100/sdd_dkd/*.yaml and configs/imagenet/*/sdd_dkd.yaml):
# defaults T=4, alpha=1, beta=8, student CE weight 1, warm-up 20 epochs; the
# pair configs set the pair's beta, the ImageNet ones T=1, beta 0.5 / 2,
# warm-up 1.
from mmengine.config import read_base

with read_base():
    from .sdd import *  # noqa: F401,F403

# DKD's settings (dkd_settings of skeleton.py) on every region
distill.distiller.distill_losses.loss_sdd.update(  # noqa: F405
    base='dkd', tau=4.0, alpha=1.0, beta=8.0, loss_weight=1.0)
custom_hooks = custom_hooks + [warmup_hook]  # noqa: F405
