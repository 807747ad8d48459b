"""Scale Decoupled Distillation loss (SD-KD, SD-DKD, SD-<any per-sample loss>).

Scale Decoupled Distillation, Wei Shicai, Luo Chao and Luo Yang, CVPR 2024
(arXiv:2403.13512); ``docs/methods/sdd.md``. The region logits
``[B, K, N]`` come from
:class:`~mmkd_logits.models.recorders.MultiScaleLogitsRecorder`.
"""
from typing import Dict, Optional, Tuple, Union

import torch
from mmrazor.registry import MODELS
from torch import Tensor, nn

from .base_logit_loss import BaseLogitLoss
from .dkd_loss import DKDLoss
from .kd_loss import KDLoss
from .utils import check_positive

__all__ = ['SDDLoss', 'sdd_region_weights', 'sdd_complementary_mask']


def sdd_complementary_mask(logits_T: Tensor, gt_labels: Tensor) -> Tensor:
    """Which (sample, region) terms are *complementary* in SDD.

    ``True`` where exactly one of ``g_b = [argmax zt[b, :, 0] == y_b]`` (the
    teacher's global region) and ``l_bn = [argmax zt[b, :, n] == y_b]`` (its
    region ``n``) holds; region 0 is never complementary.

    Args:
        logits_T: teacher region logits ``[B, K, N]``.
        gt_labels: labels ``[B]``.

    Returns:
        Tensor: boolean ``[B, N]``.
    """
    correct = logits_T.argmax(dim=1) == gt_labels[:, None]  # [B, N]
    return correct ^ correct[:, :1]


def sdd_region_weights(logits_T: Tensor,
                       gt_labels: Tensor,
                       complementary_weight: float = 2.0) -> Tensor:
    """SDD's weight of every (sample, region) term, from the teacher only.

    With ``g_b = [argmax zt[b, :, 0] == y_b]`` (the global region) and
    ``l_bn = [argmax zt[b, :, n] == y_b]``, the weight is
    ``complementary_weight`` where exactly one of them holds (a
    *complementary* region: global and local predictions disagree in
    correctness) and 1 otherwise (*consistent*). Region 0 always gets 1.

    Args:
        logits_T: teacher region logits ``[B, K, N]``.
        gt_labels: labels ``[B]``.
        complementary_weight: weight of the complementary terms.

    Returns:
        Tensor: weights ``[B, N]`` in the dtype of ``logits_T``.
    """
    complementary = sdd_complementary_mask(logits_T, gt_labels)
    weights = torch.ones_like(logits_T[:, 0, :])
    return weights.masked_fill(complementary, complementary_weight)


@MODELS.register_module()
class SDDLoss(BaseLogitLoss):
    """Scale Decoupled Distillation loss on region logits ``[B, K, N]``.

    Scale Decoupled Distillation (Wei et al., CVPR 2024, arXiv:2403.13512);
    ``docs/methods/sdd.md``. Student and teacher region logits (regions
    ordered as by :class:`MultiScaleLogitsRecorder`, region 0 the global
    one) are flattened to ``N·B`` rows, every row with its sample's label. A
    base per-sample loss ``ℓ`` is computed on every row and weighted by
    :func:`sdd_region_weights` (teacher only: ``complementary_weight`` for
    regions whose correctness differs from the global region's, 1
    otherwise):

    ``L = loss_weight · Σ_{b,n} w_bn · ℓ_bn / (N·B)``

    as in the authors' code, which divides the summed terms by the number of
    rows. NaN/inf logits raise an error (the authors' code silently replaces
    a non-finite loss by 0; this one never hides it).

    Config (SD-DKD on CIFAR-100, with the recorders of ``sdd.py``)::

        distill_losses=dict(loss_sdd=dict(type=SDDLoss, base='dkd', beta=8))

    Args:
        base: the per-region loss: ``'kd'`` (:class:`KDLoss` with ``tau``,
            SD-KD), ``'dkd'`` (:class:`DKDLoss` with ``tau``, ``alpha``,
            ``beta``, SD-DKD), or the config of any loss of this package
            (e.g. ``dict(type=LDRLDLoss)`` for SD-LDRLD; its own
            ``loss_weight`` multiplies each region's loss, its reduction is
            not used). Defaults to ``'dkd'``.
        tau: temperature ``τ`` of ``'kd'`` / ``'dkd'`` (a config base uses its
            own). Defaults to 4.0.
        alpha: DKD's TCKD weight ``α`` (``'dkd'`` only). Defaults to 1.0.
        beta: DKD's NCKD weight ``β`` (``'dkd'`` only). Defaults to 8.0.
        complementary_weight: weight of the complementary regions.
            Defaults to 2.0 (the paper's and code's value).
        loss_weight: multiplies the loss last. Defaults to 1.0.
        reduction: over the batch, of the per-sample ``Σ_n w_bn·ℓ_bn / N``.
            Defaults to ``'batchmean'``.

    Terms logged by :class:`LogitDistiller`: ``consistent`` and
    ``complementary`` (the parts of the loss from those regions; they sum to
    the loss) and the statistic ``complementary_frac`` (the fraction of the
    ``N·B`` regions that are complementary).
    """

    uses_labels = True
    stat_names = ('complementary_frac', )
    mismatch_hint = ('[B, K, N]: the same number of classes K, and the same '
                     'scales in both recorders?')

    def __init__(self,
                 base: Union[str, Dict, BaseLogitLoss] = 'dkd',
                 tau: float = 4.0,
                 alpha: float = 1.0,
                 beta: float = 8.0,
                 complementary_weight: float = 2.0,
                 loss_weight: float = 1.0,
                 reduction: str = 'batchmean') -> None:
        super().__init__(reduction, loss_weight)
        self.tau = check_positive('SDDLoss: tau', tau)
        self.alpha = check_positive('SDDLoss: alpha', alpha, strict=False)
        self.beta = check_positive('SDDLoss: beta', beta, strict=False)
        self.complementary_weight = check_positive(
            'SDDLoss: complementary_weight',
            complementary_weight,
            strict=False)
        if base == 'kd':
            base = dict(type=KDLoss, tau=self.tau)
        elif base == 'dkd':
            base = dict(
                type=DKDLoss, tau=self.tau, alpha=self.alpha, beta=self.beta)
        elif isinstance(base, str):
            raise ValueError("SDDLoss: base must be 'kd', 'dkd' or a loss "
                             f'config dict, got {base!r}')
        self.base_loss = base if isinstance(base, nn.Module) else \
            MODELS.build(base)
        if not isinstance(self.base_loss, BaseLogitLoss):
            raise ValueError(
                'SDDLoss: the base loss must be one of this package\'s '
                f'losses (a BaseLogitLoss), got '
                f'{type(self.base_loss).__name__}; use base=\'kd\' / '
                "'dkd' for KD and DKD")
        self.base = {
            KDLoss: 'kd',
            DKDLoss: 'dkd'
        }.get(type(self.base_loss),
              type(self.base_loss).__name__)
        self.min_classes = self.base_loss.min_classes

    def split_shape(self, logits: Tensor) -> Tuple[Tuple[int, ...], int]:
        """Region logits ``[B, K, N]``: batch ``(B, )``, ``K`` classes."""
        return tuple(logits.shape[:1]), logits.shape[1]

    def check_inputs(self, preds_S: Tensor, preds_T: Tensor,
                     gt_labels: Optional[Tensor]) -> None:
        for arg, x in (('preds_S', preds_S), ('preds_T', preds_T)):
            if isinstance(x, Tensor) and x.dim() != 3:
                raise ValueError(
                    f'SDDLoss: {arg} must be region logits [B, K, N] from a '
                    f'MultiScaleLogits recorder, got shape {tuple(x.shape)}')
        super().check_inputs(preds_S, preds_T, gt_labels)

    def terms(self, zs: Tensor, zt: Tensor,
              labels: Optional[Tensor]) -> Dict[str, Tensor]:
        batch, classes, regions = zs.shape
        # classes last, one row per (sample, region); made contiguous once:
        # every later op then runs on dense rows, not on a strided view
        rows_S = zs.transpose(1, 2).reshape(batch * regions, classes)
        rows_T = zt.transpose(1, 2).reshape(batch * regions, classes)
        rows_y = labels[:, None].expand(batch, regions).reshape(-1) \
            if self.base_loss.uses_labels else None
        base = self.base_loss.terms(rows_S, rows_T, rows_y)
        per_region = sum(v for k, v in base.items()
                         if k not in self.base_loss.stat_names)
        per_region = per_region.reshape(batch, regions) * \
            self.base_loss.loss_weight
        complementary = sdd_complementary_mask(zt, labels)
        weighted = per_region * torch.ones_like(per_region).masked_fill(
            complementary, self.complementary_weight)
        return {
            'consistent':
            weighted.masked_fill(complementary, 0.0).sum(-1) / regions,
            'complementary':
            weighted.masked_fill(~complementary, 0.0).sum(-1) / regions,
            'complementary_frac': complementary.to(weighted.dtype).mean(-1)
        }
