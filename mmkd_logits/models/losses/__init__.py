"""The package's logit-distillation losses (all in mmrazor's ``MODELS``).

Every loss is a :class:`BaseLogitLoss`: its file states the math in
``terms()``; checks, float32 compute, reduction and ``loss_weight`` are
written once in the base class.
"""
from .aekt_loss import AEKTLoss, aekt_ratio
from .base_logit_loss import BaseLogitLoss, LossOutput
from .dkd_loss import DKDLoss
from .kd_loss import KDLoss
from .ldrld_loss import LDRLDLoss
from .rld_loss import RLDLoss
from .sdd_loss import SDDLoss, sdd_complementary_mask, sdd_region_weights

__all__ = [
    'BaseLogitLoss', 'LossOutput', 'KDLoss', 'DKDLoss', 'LDRLDLoss', 'RLDLoss',
    'AEKTLoss', 'aekt_ratio', 'SDDLoss', 'sdd_region_weights',
    'sdd_complementary_mask'
]
