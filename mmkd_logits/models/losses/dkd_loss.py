"""DKD: decoupled knowledge distillation.

Zhao, Cui, Song, Qiu and Liang, "Decoupled Knowledge Distillation",
CVPR 2022 (arXiv:2203.08679). Exact to mdistiller's ``dkd_loss``
(megvii-research/mdistiller, ``mdistiller/distillers/DKD.py``) in float64,
and finite at any finite logits (mdistiller masks the target with -1000 and
takes the log of a probability that may underflow). The math is in
``docs/methods/kd_dkd.md``.
"""
from typing import Dict, Optional

from mmrazor.registry import MODELS
from torch import Tensor

from .base_logit_loss import BaseLogitLoss
from .utils import check_positive, label_mask, nckd_per_sample, tckd_per_sample

__all__ = ['DKDLoss']


# mmrazor's registry already holds its own 'DKDLoss' (a different loss,
# which overflows at large logit gaps): configs use the class itself,
# ``type=DKDLoss``; as a string this one is 'DecoupledKDLoss'
@MODELS.register_module(name='DecoupledKDLoss')
class DKDLoss(BaseLogitLoss):
    """Decoupled KD, per sample ``α·TCKD + β·NCKD`` with ``p = softmax(z/τ)``:

    - ``TCKD = τ²·KL([pt_y, 1−pt_y] ‖ [ps_y, 1−ps_y])`` (target vs. rest),
    - ``NCKD = τ²·KL(softmax_{c≠y}(zt/τ) ‖ softmax_{c≠y}(zs/τ))``.

    The loss warm-up of DKD's recipe, ``min(epoch / 20, 1)``, is applied by
    :class:`LogitDistiller` (``warmup=dict(epochs=20)``), not here; the
    distiller logs the terms ``tckd`` and ``nckd``.

    Config (mdistiller's CIFAR-100 default)::

        distill_losses=dict(
            loss_dkd=dict(type=DKDLoss, tau=4, alpha=1, beta=8))

    Args:
        tau: temperature ``τ`` (> 0). Defaults to 4.0.
        alpha: weight ``α`` of TCKD. Defaults to 1.0.
        beta: weight ``β`` of NCKD. Defaults to 8.0.
        reduction: ``'batchmean'``, ``'sum'`` or ``'none'`` (``[B]``).
        loss_weight: multiplies the result last. Defaults to 1.0.
    """

    uses_labels = True

    def __init__(self,
                 tau: float = 4.0,
                 alpha: float = 1.0,
                 beta: float = 8.0,
                 reduction: str = 'batchmean',
                 loss_weight: float = 1.0) -> None:
        super().__init__(reduction, loss_weight)
        self.alpha = check_positive('DKDLoss: alpha', alpha, strict=False)
        self.beta = check_positive('DKDLoss: beta', beta, strict=False)
        self.tau = check_positive('DKDLoss: tau', tau)

    def terms(self, zs: Tensor, zt: Tensor,
              labels: Optional[Tensor]) -> Dict[str, Tensor]:
        mask = label_mask(labels, zs.shape[-1])
        return {
            'tckd': self.alpha * tckd_per_sample(zt, zs, mask, self.tau),
            'nckd': self.beta * nckd_per_sample(zt, zs, mask, self.tau)
        }
