"""AEKT — Adaptive Explicit Knowledge Transfer (arXiv 2409.01679).

**This is a reconstruction.** Only the paper's abstract and a summary are
available, not its equations. What they establish: a new loss transfers the
teacher's confidence in the target class ("explicit knowledge") together with
the non-target distribution ("implicit knowledge"), adaptively weighted by the
teacher/student ratio of the target confidence; a task-serialization layer
after the student's classifier separates classification from distillation
(see :class:`mmkd_logits.models.heads.SerialClsHead`).

The reconstruction (``docs/methods/aekt.md``), per sample, with
``p = softmax(zs/T)`` on the student's *distillation* logits and
``q = softmax(zt/T)``::

    r = stopgrad(min(q_y / p_y, ratio_max))
    L = α · r · TCKD + β · NCKD

TCKD and NCKD are DKD's terms (each with ``T²``). Every reconstructed choice
is a named argument, so that the paper's exact form can be dropped in later:
``ratio_max`` (the clamp), ``detach_ratio`` (the stop-gradient),
``adaptive`` (``False`` gives plain DKD, ``r = 1``), ``ratio_tau`` (the
temperature at which ``p_y`` and ``q_y`` are read for the ratio) and
``ratio_on`` (which term the ratio weighs).
"""
import math
from typing import Dict, Optional

import torch
from mmrazor.registry import MODELS
from torch import Tensor

from .base_logit_loss import BaseLogitLoss
from .utils import (check_positive, label_mask, log_binary, nckd_per_sample,
                    tckd_per_sample)

__all__ = ['AEKTLoss', 'aekt_ratio']

RATIO_ON = ('tckd', 'nckd', 'both')


def aekt_ratio(logits_S: Tensor, logits_T: Tensor, gt_mask: Tensor, tau: float,
               ratio_max: float) -> Tensor:
    """Adaptive weight ``min(q_y / p_y, ratio_max)`` per row.

    Computed in log space, ``exp(min(log q_y − log p_y, log ratio_max))``, so
    a student probability that underflows to 0 gives ``ratio_max`` instead of
    ``inf``/``NaN``. No stop-gradient is applied here.

    Args:
        logits_S: student (distillation) logits ``[..., C]``.
        logits_T: teacher logits ``[..., C]``.
        gt_mask: boolean one-hot ``[..., C]`` marking each row's target.
        tau: temperature of the two softmaxes.
        ratio_max: upper clamp of the ratio (positive).

    Returns:
        Tensor: the ratio, shape ``logits_S.shape[:-1]``.
    """
    log_q_y, _ = log_binary(logits_T / tau, gt_mask)
    log_p_y, _ = log_binary(logits_S / tau, gt_mask)
    log_ratio = torch.clamp(log_q_y - log_p_y, max=math.log(ratio_max))
    return log_ratio.exp()


@MODELS.register_module()
class AEKTLoss(BaseLogitLoss):
    """AEKT loss, ``α · r · TCKD + β · NCKD`` (reconstructed).

    Reconstructed from the paper's description (arXiv 2409.01679: abstract
    and summary only; ``docs/methods/aekt.md``); every choice is a
    parameter. ``preds_S`` must be the student's **distillation** logits —
    with :class:`SerialClsHead` these are the output of ``head.fc`` (record
    it with a ``ModuleOutputs`` recorder), not the serialized classification
    logits.

    Config (DKD's CIFAR-100 setting by analogy; warm-up in the distiller)::

        architecture=dict(head=dict(type=SerialClsHead)),
        distill_losses=dict(loss_aekt=dict(type=AEKTLoss, tau=4, beta=8))

    Args:
        tau (float): temperature ``T`` of every softmax. Defaults to 4.0.
        alpha (float): weight ``α`` of the (ratio-weighted) target-class term
            TCKD. Defaults to 1.0.
        beta (float): weight ``β`` of the non-target term NCKD.
            Defaults to 8.0.
        ratio_max (float): upper clamp ``r_max`` of the adaptive ratio
            ``q_y / p_y``; must be positive. Defaults to 10.0.
        reduction (str): ``'none'`` (per-sample ``[B]``), ``'batchmean'`` or
            ``'sum'``. Defaults to ``'batchmean'``.
        loss_weight (float): multiplies the reduced loss last.
            Defaults to 1.0.
        detach_ratio (bool): reconstructed choice — stop the gradient through
            ``r`` (it is then a per-sample weight, not a learned quantity).
            Defaults to True.
        adaptive (bool): reconstructed choice — ``False`` replaces ``r`` by 1,
            which is exactly DKD with the same ``α, β, T``. Defaults to True.
        ratio_tau (float, optional): temperature at which ``p_y`` and ``q_y``
            are read for the ratio; ``None`` uses ``tau``. Defaults to None.
        ratio_on (str): which term ``r`` multiplies: ``'tckd'`` (explicit
            knowledge, the reconstruction's default), ``'nckd'`` or
            ``'both'``. Defaults to ``'tckd'``.

    Terms logged by :class:`LogitDistiller`: ``tckd`` (``α·r·TCKD`` with the
    default ``ratio_on``), ``nckd`` (``β·NCKD``) and the statistic ``ratio``
    (the mean adaptive ratio; absent when ``adaptive=False``).
    """

    uses_labels = True
    stat_names = ('ratio', )
    mismatch_hint = (
        'with SerialClsHead, its num_classes (the size of head.fc and of the '
        "C×C serialization layer head.ser) must equal the teacher's number "
        'of classes, and the student recorder must point at head.fc (the '
        'distillation logits)')

    def __init__(self,
                 tau: float = 4.0,
                 alpha: float = 1.0,
                 beta: float = 8.0,
                 ratio_max: float = 10.0,
                 reduction: str = 'batchmean',
                 loss_weight: float = 1.0,
                 detach_ratio: bool = True,
                 adaptive: bool = True,
                 ratio_tau: Optional[float] = None,
                 ratio_on: str = 'tckd') -> None:
        super().__init__(reduction, loss_weight)
        self.tau = check_positive('AEKTLoss: tau', tau)
        self.alpha = check_positive('AEKTLoss: alpha', alpha, strict=False)
        self.beta = check_positive('AEKTLoss: beta', beta, strict=False)
        self.ratio_max = check_positive('AEKTLoss: ratio_max', ratio_max)
        self.detach_ratio = bool(detach_ratio)
        self.adaptive = bool(adaptive)
        self.ratio_tau = self.tau if ratio_tau is None else check_positive(
            'AEKTLoss: ratio_tau', ratio_tau)
        if ratio_on not in RATIO_ON:
            raise ValueError(f'AEKTLoss: ratio_on must be one of {RATIO_ON}, '
                             f'got {ratio_on!r}')
        self.ratio_on = ratio_on

    def terms(self, zs: Tensor, zt: Tensor,
              labels: Optional[Tensor]) -> Dict[str, Tensor]:
        mask = label_mask(labels, zs.shape[-1])
        tckd = tckd_per_sample(zt, zs, mask, self.tau)
        nckd = nckd_per_sample(zt, zs, mask, self.tau)
        out = {}
        if self.adaptive:
            ratio = aekt_ratio(zs, zt, mask, self.ratio_tau, self.ratio_max)
            if self.detach_ratio:
                ratio = ratio.detach()
            if self.ratio_on in ('tckd', 'both'):
                tckd = ratio * tckd
            if self.ratio_on in ('nckd', 'both'):
                nckd = ratio * nckd
            out['ratio'] = ratio
        out.update(tckd=self.alpha * tckd, nckd=self.beta * nckd)
        return out
