"""Pieces shared by every logit-distillation loss of the package.

Written once and reused: argument checks, float32 promotion, logit
standardization, masked / subset softmax, KL divergence on a class subset,
binary KL, label and top-k masks, DKD's two terms and the reduction over the
batch (input checks live in
:class:`~mmkd_logits.models.losses.BaseLogitLoss`). All functions are
vectorised over the batch and work on the last dimension (the classes), so
``[B, C]`` and ``[B, N, C]`` inputs are both fine.

Notation as in ``docs/methods/``: ``KL(p‖q) = Σ p (log p − log q)`` with
``0·log 0 = 0``; the teacher distribution is always the first argument.
"""
from typing import Optional, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor

REDUCTIONS = ('none', 'batchmean', 'sum')

__all__ = [
    'REDUCTIONS', 'check_reduction', 'check_positive', 'to_float32',
    'label_mask', 'topk_indices', 'subset_kl', 'log_binary', 'binary_kl',
    'pair_binary_kl', 'reduce_loss', 'tckd_per_sample', 'nckd_per_sample',
    'dkd_per_sample', 'STANDARDIZE_EPS', 'standardize_logits'
]

#: the ε of logit standardization: the authors' ``1e-7``, added to the std
STANDARDIZE_EPS = 1e-7


# ----------------------------------------------------------------- checks
def check_reduction(reduction: str) -> str:
    """Return ``reduction`` if it is one of :data:`REDUCTIONS`."""
    if reduction not in REDUCTIONS:
        raise ValueError(f'reduction must be one of {REDUCTIONS}, '
                         f'got {reduction!r}')
    return reduction


def check_positive(name: str, value: float, strict: bool = True) -> float:
    """Return ``value`` if it is a (strictly) positive finite number."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f'{name} must be a number, got {value!r}') from None
    ok = number > 0 if strict else number >= 0
    if not ok or number != number or number in (float('inf'), float('-inf')):
        sign = 'positive' if strict else 'non-negative'
        raise ValueError(f'{name} must be a finite {sign} number, '
                         f'got {value!r}')
    return number


def to_float32(*tensors: Tensor) -> Tuple[Tensor, ...]:
    """Promote half/bfloat16 tensors to float32; float64 stays float64."""
    return tuple(x.float() if x.dtype in (torch.float16, torch.bfloat16) else x
                 for x in tensors)


# --------------------------------------------------- logit standardization
def standardize_logits(logits: Tensor,
                       dim: int = -1,
                       eps: float = STANDARDIZE_EPS) -> Tensor:
    """Z-score of the logits along the class dimension ``dim``.

    ``Z(z) = (z − mean(z)) / (std(z) + ε)`` per row, with the *unbiased*
    (Bessel-corrected, ``C − 1``) standard deviation and ``ε = 1e-7``
    added to it — the ``normalize`` of the authors' code
    (sunshangquan/logit-standardization-KD, ``mdistiller/distillers/KD.py``,
    ``DKD.py``, ``MLKD.py``; the same function in zju-SWJ/RLD), which
    applies it to the student's and the teacher's logits before the
    temperature: the losses then take ``softmax(Z(z) / τ)``. Logit
    Standardization in Knowledge Distillation, Sun et al., CVPR 2024
    (arXiv:2403.01427); ``docs/methods/logit_standardization.md``.

    A constant row (std 0) stays constant — 0, or the rounding residue of
    its mean divided by ``ε`` — so its softmax is uniform, with a finite
    gradient, as in the authors' code. Half-precision logits are
    computed in float32 (float64 stays float64), outside autocast.

    Args:
        logits: logits with the classes along ``dim`` (``[B, C]``; region
            logits ``[B, K, N]`` with ``dim=1``).
        dim: the class dimension. Defaults to -1.
        eps: added to the standard deviation. Defaults to 1e-7.

    Returns:
        Tensor: the standardized logits, of the shape of ``logits``.

    Raises:
        ValueError: fewer than two classes along ``dim`` (the unbiased std
            is undefined).
    """
    if logits.shape[dim] < 2:
        raise ValueError('standardize_logits: needs at least 2 classes '
                         f'along dim {dim}, got logits of shape '
                         f'{tuple(logits.shape)}')
    with torch.autocast(device_type=logits.device.type, enabled=False):
        (z, ) = to_float32(logits)
        mean = z.mean(dim, keepdim=True)
        std = z.std(dim, keepdim=True, correction=1)
        return (z - mean) / (std + eps)


# ------------------------------------------------------------------ masks
def label_mask(gt_labels: Tensor, num_classes: int) -> Tensor:
    """Boolean one-hot ``[..., C]``: True at each sample's label."""
    return F.one_hot(gt_labels, num_classes).bool()


def topk_indices(logits: Tensor, k: int) -> Tensor:
    """Indices ``[..., k]`` of the ``k`` largest logits, largest first.

    Ties are broken by :func:`torch.topk` (stable across the call: the same
    indices are used for student and teacher).
    """
    return torch.topk(logits, k, dim=-1, largest=True, sorted=True).indices


# ------------------------------------------------------- softmax and KL
def subset_kl(logits_T: Tensor,
              logits_S: Tensor,
              tau: float,
              mask: Optional[Tensor] = None) -> Tensor:
    """``τ² · KL(softmax_S(zt/τ) ‖ softmax_S(zs/τ))`` per row.

    Args:
        logits_T: teacher logits ``[..., C]`` (treated as constant).
        logits_S: student logits ``[..., C]``.
        tau: temperature ``τ``.
        mask: optional boolean ``[..., C]`` selecting the class set ``S``;
            ``None`` means all classes. Rows with an empty set give 0 (and a
            zero gradient), as RLD's empty ``R`` needs
            (``docs/methods/rld.md``).

    Returns:
        Tensor: per-row KL of shape ``logits_S.shape[:-1]``.
    """
    if mask is None:
        x_t = logits_T / tau
        log_t = F.log_softmax(x_t, dim=-1)
        log_s = F.log_softmax(logits_S / tau, dim=-1)
        return (F.softmax(x_t, dim=-1) * (log_t - log_s)).sum(-1) * tau**2
    x_t, x_s = logits_T / tau, logits_S / tau
    # classes off the set are pushed down by BIG: their probabilities
    # underflow to exactly 0 while every log-probability stays finite (no
    # ``-inf - -inf`` in the value or the gradient), and the fused softmax
    # kernels keep their speed (``where``/``masked_fill`` and ``exp`` of
    # ``-inf`` are several times slower on CPU)
    big = torch.finfo(x_s.dtype).max / 8
    # a float mask: ``add`` with a bool tensor converts it on every call
    drop = (~mask).to(x_s.dtype)
    x_t = torch.add(x_t, drop, alpha=-big)
    x_s = torch.add(x_s, drop, alpha=-big)
    log_t = F.log_softmax(x_t, dim=-1)
    kl = (F.softmax(x_t, dim=-1) *
          (log_t - F.log_softmax(x_s, dim=-1))).sum(-1) * tau**2
    # an empty set leaves both rows uniform (KL and gradient 0); say so
    nonempty = (x_t.amax(-1) > -big / 2).to(kl.dtype)
    return kl * nonempty


def log_binary(logits: Tensor, select: Tensor) -> Tuple[Tensor, Tensor]:
    """``(log p, log (1 − p))`` of the class picked by the one-hot ``select``.

    ``p = softmax(logits)[select]``; ``log(1 − p)`` is computed as
    ``logsumexp`` over the other classes minus ``logsumexp`` over all, which
    stays finite for any finite logits (no ``log(1 − p)`` cancellation).
    """
    # the picked class is pushed down by BIG (its exp underflows to 0) rather
    # than masked with -inf by ``masked_fill``, several times slower on CPU;
    # ``logsumexp`` over all classes then follows exactly from the two parts
    big = torch.finfo(logits.dtype).max / 8
    select = select.to(logits.dtype)
    rest = torch.logsumexp(torch.add(logits, select, alpha=-big), dim=-1)
    picked = (logits * select).sum(-1)
    lse_all = torch.logaddexp(rest, picked)
    return picked - lse_all, rest - lse_all


def binary_kl(log_p_T: Tensor, log_q_T: Tensor, log_p_S: Tensor,
              log_q_S: Tensor) -> Tensor:
    """KL between the two-point distributions ``[p_T, q_T] ‖ [p_S, q_S]``.

    All inputs are log-probabilities (``q = 1 − p``), so that extreme logits
    never produce ``log 0``.
    """
    return (log_p_T.exp() * (log_p_T - log_p_S) + log_q_T.exp() *
            (log_q_T - log_q_S))


def pair_binary_kl(diff_T: Tensor, diff_S: Tensor, tau: float) -> Tensor:
    """``τ² · KL`` of 2-class softmaxes given logit differences ``za − zb``.

    A softmax over the two classes ``{a, b}`` is ``[σ(d/τ), σ(−d/τ)]`` with
    ``d = za − zb``, so every pair term is a binary KL on log-sigmoids.
    """
    d_T, d_S = diff_T / tau, diff_S / tau
    return binary_kl(
        F.logsigmoid(d_T), F.logsigmoid(-d_T), F.logsigmoid(d_S),
        F.logsigmoid(-d_S)) * tau**2


# -------------------------------------------------------------- reduction
def reduce_loss(per_sample: Tensor, reduction: str) -> Tensor:
    """Apply ``'none'`` (per-sample ``[B]``), ``'batchmean'`` or ``'sum'``."""
    if reduction == 'none':
        return per_sample
    if reduction == 'sum':
        return per_sample.sum()
    if reduction == 'batchmean':
        return per_sample.sum() / max(per_sample.shape[0], 1)
    raise ValueError(f'reduction must be one of {REDUCTIONS}, '
                     f'got {reduction!r}')


# ------------------------------------------------------- DKD's two terms
def tckd_per_sample(logits_T: Tensor, logits_S: Tensor, gt_mask: Tensor,
                    tau: float) -> Tensor:
    """DKD's target-class term ``τ² · KL([pt_y, 1−pt_y] ‖ [ps_y, 1−ps_y])``.

    Args:
        logits_T: teacher logits ``[..., C]`` (treated as constant).
        logits_S: student logits ``[..., C]``.
        gt_mask: boolean one-hot ``[..., C]`` marking each row's target class
            (see :func:`label_mask`).
        tau: temperature ``τ``.

    Returns:
        Tensor: per-row term of shape ``logits_S.shape[:-1]``.
    """
    log_p_T, log_q_T = log_binary(logits_T / tau, gt_mask)
    log_p_S, log_q_S = log_binary(logits_S / tau, gt_mask)
    return binary_kl(log_p_T, log_q_T, log_p_S, log_q_S) * tau**2


def nckd_per_sample(logits_T: Tensor, logits_S: Tensor, gt_mask: Tensor,
                    tau: float) -> Tensor:
    """DKD's non-target term, ``τ² · KL`` of the softmaxes over ``c ≠ y``.

    ``NCKD = τ² · KL(softmax_{c≠y}(zt/τ) ‖ softmax_{c≠y}(zs/τ))``.

    Args:
        logits_T: teacher logits ``[..., C]`` (treated as constant).
        logits_S: student logits ``[..., C]``.
        gt_mask: boolean one-hot ``[..., C]`` marking each row's target class;
            the KL runs over the other classes.
        tau: temperature ``τ``.

    Returns:
        Tensor: per-row term of shape ``logits_S.shape[:-1]``.
    """
    return subset_kl(logits_T, logits_S, tau, ~gt_mask)


def dkd_per_sample(logits_T: Tensor, logits_S: Tensor, gt_mask: Tensor,
                   tau: float, alpha: float, beta: float) -> Tensor:
    """Per-row DKD ``α · TCKD + β · NCKD`` (``docs/methods/kd_dkd.md``).

    Decoupled Knowledge Distillation (Zhao et al., CVPR 2022); also the
    per-region loss of SD-DKD (Scale Decoupled Distillation, Wei et al.,
    CVPR 2024).

    Args:
        logits_T: teacher logits ``[..., C]`` (treated as constant).
        logits_S: student logits ``[..., C]``.
        gt_mask: boolean one-hot ``[..., C]`` marking each row's target class
            (see :func:`label_mask`).
        tau: temperature ``τ`` (both terms carry ``τ²``).
        alpha: weight ``α`` of the target-class term TCKD.
        beta: weight ``β`` of the non-target term NCKD.

    Returns:
        Tensor: per-row loss of shape ``logits_S.shape[:-1]``.
    """
    return (alpha * tckd_per_sample(logits_T, logits_S, gt_mask, tau) +
            beta * nckd_per_sample(logits_T, logits_S, gt_mask, tau))
