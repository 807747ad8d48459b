"""AEKT — Adaptive Explicit Knowledge Transfer (arXiv 2409.01679).

**This is a reconstruction.** Only the paper's abstract and a summary are
available, not its equations. What they establish: a new loss transfers the
teacher's confidence in the target class ("explicit knowledge") together with
the non-target distribution ("implicit knowledge"), adaptively weighted by the
teacher/student ratio of the target confidence; a task-serialization layer
after the student's classifier separates classification from distillation
(see :class:`mmkd_logits.models.heads.SerialClsHead`).

The reconstruction (``METHODS.md`` §5), per sample, with ``p = softmax(zs/T)``
on the student's *distillation* logits and ``q = softmax(zt/T)``::

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
from torch import Tensor, nn

from .utils import (check_positive, check_reduction, label_mask, log_binary,
                    nckd_per_sample, reduce_loss, tckd_per_sample, term_means,
                    to_float32, validate_labels, validate_logits)

__all__ = ['AEKTLoss', 'aekt_ratio']

RATIO_ON = ('tckd', 'nckd', 'both')


def aekt_ratio(logits_S: Tensor, logits_T: Tensor, gt_mask: Tensor,
               tau: float, ratio_max: float) -> Tensor:
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
class AEKTLoss(nn.Module):
    """AEKT loss, ``α · r · TCKD + β · NCKD`` (reconstructed).

    Reconstructed from the paper's description (arXiv 2409.01679: abstract
    and summary only); every choice is a parameter. ``preds_S`` must be the
    student's **distillation** logits — with :class:`SerialClsHead` these are
    the output of ``head.fc`` (record it with a ``ModuleOutputs`` recorder),
    not the serialized classification logits.

    Args:
        tau (float): temperature ``T`` of every softmax. Defaults to 4.0.
        alpha (float): weight ``α`` of the (ratio-weighted) target-class term
            TCKD. Defaults to 1.0.
        beta (float): weight ``β`` of the non-target term NCKD.
            Defaults to 8.0.
        ratio_max (float): upper clamp ``r_max`` of the adaptive ratio
            ``q_y / p_y``; must be positive. Defaults to 10.0.
        reduction (str): ``'none'`` (per-sample ``[B]``, so the loss also
            works as an SDD base), ``'batchmean'`` or ``'sum'``.
            Defaults to ``'batchmean'``.
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

    Shapes:
        ``preds_S``, ``preds_T``: ``[B, C]`` (or ``[..., C]``); ``gt_labels``:
        ``LongTensor`` of the batch shape. The teacher is always detached.
        The math runs in float32 (autocast disabled) under fp16/bf16.

    Diagnostics: after every forward, ``last_terms`` holds the detached
    batch means of ``'tckd'`` (``α·r·TCKD`` with the default
    ``ratio_on``) and ``'nckd'`` (``β·NCKD``), each × ``loss_weight``
    (they sum to the loss for ``'batchmean'``), and ``last_stats`` the mean
    adaptive ratio ``'ratio'`` (empty when ``adaptive=False``);
    :class:`DistillDiagnosticsHook` logs both.
    """

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
        super().__init__()
        self.tau = check_positive('AEKTLoss: tau', tau)
        self.alpha = check_positive('AEKTLoss: alpha', alpha, strict=False)
        self.beta = check_positive('AEKTLoss: beta', beta, strict=False)
        self.ratio_max = check_positive('AEKTLoss: ratio_max', ratio_max)
        self.reduction = check_reduction(reduction)
        self.loss_weight = float(loss_weight)
        self.detach_ratio = bool(detach_ratio)
        self.adaptive = bool(adaptive)
        self.ratio_tau = self.tau if ratio_tau is None else check_positive(
            'AEKTLoss: ratio_tau', ratio_tau)
        if ratio_on not in RATIO_ON:
            raise ValueError(f'AEKTLoss: ratio_on must be one of {RATIO_ON}, '
                             f'got {ratio_on!r}')
        self.ratio_on = ratio_on
        self.last_terms: Dict[str, Tensor] = {}
        self.last_stats: Dict[str, Tensor] = {}

    def extra_repr(self) -> str:
        return (f'tau={self.tau}, alpha={self.alpha}, beta={self.beta}, '
                f'ratio_max={self.ratio_max}, reduction={self.reduction!r}, '
                f'loss_weight={self.loss_weight}, '
                f'detach_ratio={self.detach_ratio}, '
                f'adaptive={self.adaptive}, ratio_tau={self.ratio_tau}, '
                f'ratio_on={self.ratio_on!r}')

    def forward(self, preds_S: Tensor, preds_T: Tensor,
                gt_labels: Tensor) -> Tensor:
        """Compute the loss.

        Args:
            preds_S (Tensor): student distillation logits ``[B, C]``
                (``head.fc`` of a :class:`SerialClsHead`).
            preds_T (Tensor): teacher logits ``[B, C]`` (detached here).
            gt_labels (Tensor): class indices ``[B]`` in ``[0, C)``.

        Returns:
            Tensor: per-sample ``[B]`` for ``reduction='none'``, else a
            scalar; float32 (float64 inputs stay float64).
        """
        if (isinstance(preds_S, Tensor) and isinstance(preds_T, Tensor)
                and preds_S.shape[-1:] != preds_T.shape[-1:]):
            raise ValueError(
                f'AEKTLoss: the student has {preds_S.shape[-1]} classes but '
                f'the teacher has {preds_T.shape[-1]} (preds_S '
                f'{tuple(preds_S.shape)} vs preds_T {tuple(preds_T.shape)}). '
                'With SerialClsHead, its num_classes (the size of head.fc '
                'and of the C×C serialization layer head.ser) must equal the '
                "teacher's number of classes, and the student recorder must "
                'point at head.fc (the distillation logits).')
        validate_logits(preds_S, preds_T, 'AEKTLoss')
        gt_labels = validate_labels(gt_labels, preds_S.shape[:-1],
                                    preds_S.shape[-1], 'AEKTLoss')
        with torch.autocast(device_type=preds_S.device.type, enabled=False):
            logits_S, logits_T = to_float32(preds_S, preds_T.detach())
            mask = label_mask(gt_labels, logits_S.shape[-1])
            tckd = tckd_per_sample(logits_T, logits_S, mask, self.tau)
            nckd = nckd_per_sample(logits_T, logits_S, mask, self.tau)
            if self.adaptive:
                ratio = aekt_ratio(logits_S, logits_T, mask, self.ratio_tau,
                                   self.ratio_max)
                if self.detach_ratio:
                    ratio = ratio.detach()
                if self.ratio_on in ('tckd', 'both'):
                    tckd = ratio * tckd
                if self.ratio_on in ('nckd', 'both'):
                    nckd = ratio * nckd
            tckd, nckd = self.alpha * tckd, self.beta * nckd
            per_sample = tckd + nckd
            self.last_terms = term_means({'tckd': tckd, 'nckd': nckd},
                                         self.loss_weight)
            self.last_stats = term_means({'ratio': ratio}) \
                if self.adaptive else {}
            return reduce_loss(per_sample, self.reduction) * self.loss_weight
