# SD-KD (Wei et al., "Scale Decoupled Distillation", CVPR 2024): KD on every
# region logit of sdd.py. The authors' SDD_KD uses mdistiller's KD defaults
# on every dataset (github.com/shicaiwei123/SDD-CVPR2024): T=4,
# distillation weight 0.9, student CE weight 0.1, no warm-up.
from mmengine.config import read_base

with read_base():
    from .sdd import *  # noqa: F401,F403

distill.architecture = dict(head=dict(loss=dict(loss_weight=0.1)))  # noqa
distill.distiller.distill_losses.loss_sdd.update(  # noqa: F405
    base='kd', tau=4.0, loss_weight=0.9)
