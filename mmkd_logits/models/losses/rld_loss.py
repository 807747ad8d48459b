"""RLD: Refined Logit Distillation.

Reference:
    Wujie Sun, Defang Chen, Siwei Lyu, Genlang Chen, Chun Chen, Can Wang.
    "Knowledge Distillation with Refined Logits", arXiv:2408.07703
    (authors' code: github.com/zju-SWJ/RLD).

The math is ``METHODS.md`` §2; as in the authors' code the sample-confidence
term has its own temperature ``alpha_tau`` (defaulting to ``tau``).
"""
from typing import Optional

import torch
from torch import Tensor, nn

from mmrazor.registry import MODELS

from .utils import (binary_kl, check_positive, check_reduction,
                    log_binary_at, reduce_loss, subset_kl, to_float32,
                    validate_labels, validate_logits)

__all__ = ['RLDLoss']


@MODELS.register_module()
class RLDLoss(nn.Module):
    """Refined Logit Distillation (RLD).

    Sun et al., "Knowledge Distillation with Refined Logits",
    arXiv:2408.07703. Per sample ``α·SCD + β·MCD``:

    - SCD (sample confidence distillation), with ``τa = alpha_tau``,
      ``p = softmax(z/τa)`` and ``m = argmax zt`` (the teacher's top class;
      the first one on ties): ``τa²·KL([pt_m, 1−pt_m] ‖ [ps_y, 1−ps_y])``.
    - MCD (masked correlation distillation): drop ``y`` and every class with
      ``zt_c ≥ zt_y``; on the remaining set ``R``,
      ``τ²·KL(softmax_R(zt/τ) ‖ softmax_R(zs/τ))`` (0 when ``R`` is empty).

    When the teacher's top class is the label and ``τa = τ``, RLD equals DKD
    with the same ``α, β``.

    Args:
        tau: temperature ``τ`` of MCD (> 0). Defaults to 4.0.
        alpha: weight ``α`` of SCD. Defaults to 1.0.
        beta: weight ``β`` of MCD. Defaults to 8.0.
        alpha_tau: temperature ``τa`` of SCD; ``None`` uses ``tau`` (the
            authors' code has this separate knob). Defaults to None.
        reduction: ``'batchmean'``, ``'sum'`` or ``'none'`` (per-sample
            ``[B]``). Defaults to ``'batchmean'``.
        loss_weight: multiplies the result last. Defaults to 1.0.
    """

    def __init__(self,
                 tau: float = 4.0,
                 alpha: float = 1.0,
                 beta: float = 8.0,
                 alpha_tau: Optional[float] = None,
                 reduction: str = 'batchmean',
                 loss_weight: float = 1.0) -> None:
        super().__init__()
        self.tau = check_positive('RLDLoss: tau', tau)
        self.alpha_tau = self.tau if alpha_tau is None else check_positive(
            'RLDLoss: alpha_tau', alpha_tau)
        self.alpha = check_positive('RLDLoss: alpha', alpha, strict=False)
        self.beta = check_positive('RLDLoss: beta', beta, strict=False)
        self.reduction = check_reduction(reduction)
        self.loss_weight = check_positive('RLDLoss: loss_weight', loss_weight,
                                          strict=False)

    def extra_repr(self) -> str:
        return (f'tau={self.tau}, alpha={self.alpha}, beta={self.beta}, '
                f'alpha_tau={self.alpha_tau}, reduction={self.reduction!r}, '
                f'loss_weight={self.loss_weight}')

    def forward(self, preds_S: Tensor, preds_T: Tensor,
                gt_labels: Tensor) -> Tensor:
        """Compute the RLD loss.

        Args:
            preds_S: student logits ``[B, C]``.
            preds_T: teacher logits ``[B, C]``; detached here.
            gt_labels: integer class indices ``[B]`` in ``[0, C)``.

        Returns:
            Tensor: the reduced loss (scalar), or ``[B]`` for
            ``reduction='none'``, in float32 (float64 for float64 inputs).

        Raises:
            ValueError: shape mismatch, non-finite logits, or labels that are
                not integers in ``[0, C)``.
        """
        validate_logits(preds_S, preds_T, 'RLDLoss')
        labels = validate_labels(gt_labels, tuple(preds_S.shape[:-1]),
                                 preds_S.shape[-1], 'RLDLoss')
        with torch.autocast(device_type=preds_S.device.type, enabled=False):
            zs, zt = to_float32(preds_S, preds_T.detach())
            loss = self._per_sample(zs, zt, labels)
        return self.loss_weight * reduce_loss(loss, self.reduction)

    def _per_sample(self, zs: Tensor, zt: Tensor, labels: Tensor) -> Tensor:
        tau, tau_a = self.tau, self.alpha_tau
        # SCD: teacher's confidence in its own top class m vs the student's
        # confidence in the true class y (binary distributions)
        log_pt, log_qt = log_binary_at(zt / tau_a, zt.argmax(-1))
        log_ps, log_qs = log_binary_at(zs / tau_a, labels)
        scd = binary_kl(log_pt, log_qt, log_ps, log_qs) * tau_a**2
        # MCD: keep only the classes the teacher ranks strictly below y
        zt_y = zt.gather(-1, labels.unsqueeze(-1))
        mcd = subset_kl(zt, zs, tau, zt < zt_y)
        return self.alpha * scd + self.beta * mcd
