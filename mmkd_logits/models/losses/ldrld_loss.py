"""LDRLD: Local Dense Relational Logit Distillation with Adaptive Decay Weight.

Reference:
    Liuchi Xu, Kang Liu, Jinshuai Liu, Lu Wang, Lisheng Xu, Jun Cheng.
    "Local Dense Logit Relations for Enhanced Knowledge Distillation",
    ICCV 2025, arXiv:2507.15911.

The math (``docs/methods/ldrld.md``) follows the authors' code where it
differs from the paper's prose: the local term is divided by its number of
terms ``d(d−1)/2 + 1``.
"""
from typing import Dict, Optional, Tuple

import torch
from mmrazor.registry import MODELS
from torch import Tensor

from .base_logit_loss import BaseLogitLoss
from .utils import check_positive, pair_binary_kl, subset_kl, topk_indices

__all__ = ['LDRLDLoss', 'adw_weights', 'ranked_topk_indices']


def adw_weights(topk: int,
                irw_eps: float = 1.5,
                erd_scale: float = 2.0,
                erd_decay: float = 0.05) -> Tuple[Tensor, Tensor, Tensor]:
    """Rank pairs and their Adaptive Decay Weights (ADW).

    For every rank pair ``1 ≤ r < r' ≤ d`` (1-based ranks),
    ``ADW(r, r') = IRW · ERD`` with ``IRW = 1 / (|r − r'| + ε)`` and
    ``ERD = δ · exp(−λ (r + r'))``.

    Args:
        topk: number of selected classes ``d`` (≥ 2).
        irw_eps: ``ε`` of the Inverse Rank Weighting.
        erd_scale: ``δ`` of the Exponential Rank Decay.
        erd_decay: ``λ`` of the Exponential Rank Decay.

    Returns:
        tuple: ``(first, second, weights)``: 0-based rank positions
        ``[P]`` (int64) of the two members of each pair, ``first < second``,
        and the float64 weights ``[P]``, with ``P = d(d−1)/2``.
    """
    first, second = torch.triu_indices(topk, topk, offset=1)
    r, r2 = first.double() + 1, second.double() + 1
    weights = (1.0 /
               ((r2 - r).abs() + irw_eps)) * erd_scale * torch.exp(-erd_decay *
                                                                   (r + r2))
    return first, second, weights


def ranked_topk_indices(logits: Tensor, k: int) -> Tensor:
    """Indices of the ``k`` largest logits, ranked, with a defined tie rule.

    Rank 1 is the largest logit; equal logits are ranked by class index
    (lower index first), i.e. the first ``k`` entries of a *stable*
    descending sort — but computed with :func:`torch.topk` (a full sort of
    ``[B, C]`` would cost several times the whole loss). Classes equal to the
    ``k``-th value are taken lowest index first, with one more top-``k`` over
    their indices; it runs for every row, so no branch reads the device.

    Args:
        logits: ``[..., C]`` logits (no gradient is needed).
        k: number of indices to return, ``1 ≤ k ≤ C``.

    Returns:
        Tensor: int64 ``[..., k]`` class indices, rank 1 first.
    """
    logits = logits.detach()
    idx = topk_indices(logits, k)
    last = logits.gather(-1, idx[..., -1:])
    # top-k puts the n_greater classes strictly above the k-th value first;
    # the remaining slots go to the lowest-index classes equal to it
    n_greater = k - (logits.gather(-1, idx) == last).sum(-1, keepdim=True)
    num_classes = logits.shape[-1]
    classes = torch.arange(
        num_classes, device=logits.device, dtype=torch.int32)
    tied = torch.where(logits == last, classes, num_classes)
    lowest = torch.topk(tied, k, dim=-1, largest=False, sorted=True).values
    pos = torch.arange(k, device=logits.device)
    idx = torch.where(pos < n_greater, idx,
                      lowest.gather(-1, (pos - n_greater).clamp(min=0)).long())
    vals = logits.gather(-1, idx)
    # order within the selection: value descending, then index ascending
    idx, perm = idx.sort(dim=-1)
    vals = vals.gather(-1, perm)
    order = vals.sort(dim=-1, descending=True, stable=True).indices
    return idx.gather(-1, order)


@MODELS.register_module()
class LDRLDLoss(BaseLogitLoss):
    """Local Dense Relational Logit Distillation (LDRLD) with ADW.

    Xu et al., "Local Dense Logit Relations for Enhanced Knowledge
    Distillation", ICCV 2025 (arXiv:2507.15911); ``docs/methods/ldrld.md``.
    Per sample, with ``I`` the student's top-``d`` classes ranked by student
    logit (the teacher is read at the same indices; the label is not used):

    - pair terms ``KL_{r,r'} = τ²·KL`` of the 2-class softmaxes over
      ``{i_r, i_r'}`` for all ``d(d−1)/2`` rank pairs ``r < r'``, weighted by
      ``ADW(r, r') = 1/(|r−r'|+ε) · δ·exp(−λ(r+r'))``;
    - ``KL_top = τ²·KL`` of the softmaxes restricted to ``I`` (weight 1);
    - ``L_local = (Σ ADW·KL_{r,r'} + KL_top) / (d(d−1)/2 + 1)`` (the authors'
      code divides by the number of terms);
    - ``L_rntk = τ²·KL`` of the softmaxes restricted to the ``C − d`` classes
      outside ``I``;
    - loss ``= α·L_local + β·L_rntk``.

    Fully vectorised: the top-``d`` logits are gathered once into ``[B, d]``
    and every pair term is a binary KL on logit differences (``O(B·d²)``);
    the remaining-class term is one masked softmax (``O(B·C)``). Ties among
    student logits are ranked by class index (lower first), see
    :func:`ranked_topk_indices`.

    Config (the published ResNet32x4 → ResNet8x4 setting)::

        distill_losses=dict(loss_ldrld=dict(
            type=LDRLDLoss, tau=4, topk=7, alpha=10.5, beta=7.0))

    Args:
        tau: temperature ``τ`` (> 0). Defaults to 4.0.
        topk: number of selected classes ``d`` (integer ≥ 2, < number of
            classes). Defaults to 7.
        alpha: weight ``α`` of the local term. Defaults to 10.5.
        beta: weight ``β`` of the remaining non-target term. Defaults to 7.0.
        irw_eps: ``ε`` of the Inverse Rank Weighting. Defaults to 1.5.
        erd_scale: ``δ`` of the Exponential Rank Decay. Defaults to 2.0.
        erd_decay: ``λ`` of the Exponential Rank Decay. Defaults to 0.05.
        reduction: ``'batchmean'``, ``'sum'`` or ``'none'`` (``[B]``).
        loss_weight: multiplies the result last. Defaults to 1.0.

    Terms logged by :class:`LogitDistiller`: ``local`` (``α·L_local``) and
    ``rntk`` (``β·L_rntk``).
    """

    def __init__(self,
                 tau: float = 4.0,
                 topk: int = 7,
                 alpha: float = 10.5,
                 beta: float = 7.0,
                 irw_eps: float = 1.5,
                 erd_scale: float = 2.0,
                 erd_decay: float = 0.05,
                 reduction: str = 'batchmean',
                 loss_weight: float = 1.0) -> None:
        super().__init__(reduction, loss_weight)
        self.tau = check_positive('LDRLDLoss: tau', tau)
        if isinstance(topk, bool) or not isinstance(topk, int) or topk < 2:
            raise ValueError('LDRLDLoss: topk must be an integer >= 2, got '
                             f'{topk!r}')
        self.topk = topk
        self.min_classes = topk + 1
        self.alpha = check_positive('LDRLDLoss: alpha', alpha, strict=False)
        self.beta = check_positive('LDRLDLoss: beta', beta, strict=False)
        self.irw_eps = check_positive(
            'LDRLDLoss: irw_eps', irw_eps, strict=False)
        self.erd_scale = check_positive(
            'LDRLDLoss: erd_scale', erd_scale, strict=False)
        self.erd_decay = check_positive(
            'LDRLDLoss: erd_decay', erd_decay, strict=False)
        first, second, weights = adw_weights(topk, self.irw_eps,
                                             self.erd_scale, self.erd_decay)
        self.num_terms = weights.numel() + 1
        self.register_buffer('pair_first', first, persistent=False)
        self.register_buffer('pair_second', second, persistent=False)
        # float64 master copy; cast to the compute dtype in terms()
        self.register_buffer('adw', weights, persistent=False)

    def _min_classes_reason(self) -> str:
        return (f'topk={self.topk} must be smaller than the number of '
                'classes')

    def terms(self, zs: Tensor, zt: Tensor,
              labels: Optional[Tensor]) -> Dict[str, Tensor]:
        tau = self.tau
        idx = ranked_topk_indices(zs, self.topk)  # [..., d]
        top_s = zs.gather(-1, idx)
        top_t = zt.gather(-1, idx)
        # all d(d-1)/2 pair terms at once: 2-class KL on logit differences
        diff_s = top_s[..., self.pair_first] - top_s[..., self.pair_second]
        diff_t = top_t[..., self.pair_first] - top_t[..., self.pair_second]
        pairs = pair_binary_kl(diff_t, diff_s, tau)  # [..., P]
        weighted = (pairs * self.adw.to(pairs.dtype)).sum(-1)
        kl_top = subset_kl(top_t, top_s, tau)
        local = (weighted + kl_top) / self.num_terms
        # remaining non-target knowledge: one masked softmax outside I
        outside = torch.ones_like(
            zs, dtype=torch.bool).scatter_(-1, idx, False)
        rntk = subset_kl(zt, zs, tau, outside)
        return {'local': self.alpha * local, 'rntk': self.beta * rntk}
