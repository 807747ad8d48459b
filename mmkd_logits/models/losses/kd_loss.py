"""KD: vanilla knowledge distillation on softened logits.

Hinton, Vinyals and Dean, "Distilling the Knowledge in a Neural Network",
NIPS workshop 2014 (arXiv:1503.02531). Exact to mdistiller's ``kd_loss``
(megvii-research/mdistiller, ``mdistiller/distillers/KD.py``); the math is
in ``docs/methods/kd_dkd.md``.
"""
from typing import Dict, Optional

from mmrazor.registry import MODELS
from torch import Tensor

from .base_logit_loss import BaseLogitLoss
from .utils import check_positive, subset_kl

__all__ = ['KDLoss']


@MODELS.register_module()
class KDLoss(BaseLogitLoss):
    """Knowledge distillation, per sample ``τ²·KL(softmax(zt/τ) ‖
    softmax(zs/τ))``.

    Reduced as :class:`BaseLogitLoss` says (``'batchmean'``: the mean over
    the batch, as mdistiller). The student's cross-entropy is not part of
    it: in mmrazor it comes from the student's head.

    Config (mdistiller's CIFAR-100 setting, CE weight 0.1 on the head)::

        distill_losses=dict(loss_kd=dict(type=KDLoss, tau=4, loss_weight=0.9))

    Args:
        tau: temperature ``τ`` (> 0). Defaults to 4.0.
        reduction: ``'batchmean'``, ``'sum'`` or ``'none'`` (``[B]``).
        loss_weight: multiplies the result last. Defaults to 1.0.

    Terms logged by :class:`LogitDistiller`: ``kd``.
    """

    def __init__(self,
                 tau: float = 4.0,
                 reduction: str = 'batchmean',
                 loss_weight: float = 1.0) -> None:
        super().__init__(reduction, loss_weight)
        self.tau = check_positive('KDLoss: tau', tau)

    def terms(self, zs: Tensor, zt: Tensor,
              labels: Optional[Tensor]) -> Dict[str, Tensor]:
        return {'kd': subset_kl(zt, zs, self.tau)}
