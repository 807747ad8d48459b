"""Scale Decoupled Distillation loss (SD-KD, SD-DKD, SD-<any per-sample loss>).

Scale Decoupled Distillation, Wei Shicai, Luo Chao and Luo Yang, CVPR 2024
(arXiv:2403.13512); METHODS.md §4. The region logits ``[B, K, N]`` come from
:class:`~mmkd_logits.models.recorders.MultiScaleLogitsRecorder`.
"""
import copy
import inspect
from typing import Dict, Optional, Union

import torch
from mmrazor.registry import MODELS
from torch import Tensor, nn

from .utils import (check_positive, dkd_per_sample, kl_div, label_mask,
                    term_means, to_float32, validate_labels, validate_logits)

__all__ = ['SDDLoss', 'sdd_region_weights', 'sdd_complementary_mask']

_NAME = 'SDDLoss'
_BUILTIN = ('kd', 'dkd')


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


def sdd_region_weights(logits_T: Tensor, gt_labels: Tensor,
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
class SDDLoss(nn.Module):
    """Scale Decoupled Distillation loss on region logits ``[B, K, N]``.

    Scale Decoupled Distillation (Wei et al., CVPR 2024, arXiv:2403.13512),
    METHODS.md §4. Student and teacher region logits (regions ordered as by
    :class:`MultiScaleLogitsRecorder`, region 0 the global one) are
    flattened to ``N·B`` rows, every row with its sample's label. A base
    per-sample loss ``ℓ`` is computed on every row and weighted by
    :func:`sdd_region_weights` (teacher only: ``complementary_weight`` for
    regions whose correctness differs from the global region's, 1
    otherwise):

    ``L = loss_weight · Σ_{b,n} w_bn · ℓ_bn / (N·B)``

    as in the authors' code, which divides the summed terms by the number of
    rows. NaN/inf logits raise an error (the authors' code silently replaces
    a non-finite loss by 0; this one never hides it).

    Args:
        base: the per-region loss. ``'kd'``: ``τ² · KL(softmax(zt/τ) ‖
            softmax(zs/τ))`` (SD-KD); ``'dkd'``: ``α·TCKD + β·NCKD``
            (SD-DKD); or a config dict of a loss in mmrazor's ``MODELS``
            that supports ``reduction='none'`` returning one value per row
            (e.g. ``dict(type='LDRLDLoss')`` for SD-LDRLD,
            ``dict(type='RLDLoss')`` for SD-RLD); ``reduction='none'`` is set
            here. Its ``forward`` takes ``(preds_S, preds_T)`` or
            ``(preds_S, preds_T, gt_labels)`` (three or more positional
            parameters: the labels are passed). An already built
            ``nn.Module`` is accepted too. Defaults to ``'dkd'``.
        tau: temperature ``τ`` of ``'kd'`` / ``'dkd'`` (a config base uses its
            own). Defaults to 4.0.
        alpha: DKD's TCKD weight ``α`` (``'dkd'`` only). Defaults to 1.0.
        beta: DKD's NCKD weight ``β`` (``'dkd'`` only). Defaults to 8.0.
        complementary_weight: weight of the complementary regions.
            Defaults to 2.0 (the paper's and code's value).
        loss_weight: multiplies the loss last. Defaults to 1.0.

    Diagnostics: after every forward, ``last_terms`` holds the detached
    parts of the loss from the ``'consistent'`` and the ``'complementary'``
    (sample, region) terms (both × ``loss_weight``; they sum to the loss),
    and ``last_stats['complementary_frac']`` the fraction of the ``N·B``
    terms that are complementary; :class:`DistillDiagnosticsHook` logs both.
    """

    def __init__(self,
                 base: Union[str, Dict, nn.Module] = 'dkd',
                 tau: float = 4.0,
                 alpha: float = 1.0,
                 beta: float = 8.0,
                 complementary_weight: float = 2.0,
                 loss_weight: float = 1.0) -> None:
        super().__init__()
        self.tau = check_positive('tau', tau)
        self.alpha = check_positive('alpha', alpha, strict=False)
        self.beta = check_positive('beta', beta, strict=False)
        self.complementary_weight = check_positive(
            'complementary_weight', complementary_weight, strict=False)
        self.loss_weight = loss_weight
        self.last_terms: Dict[str, Tensor] = {}
        self.last_stats: Dict[str, Tensor] = {}
        self.base_loss: Optional[nn.Module] = None
        self._base_takes_labels = False
        if isinstance(base, str):
            if base not in _BUILTIN:
                raise ValueError(f'{_NAME}: base must be one of {_BUILTIN} '
                                 f'or a loss config dict, got {base!r}')
            self.base = base
        elif isinstance(base, (dict, nn.Module)):
            self.base = 'custom'
            self.base_loss = self._build_base(base)
            self._base_takes_labels = self._takes_labels(self.base_loss)
        else:
            raise ValueError(f'{_NAME}: base must be one of {_BUILTIN} or a '
                             f'loss config dict, got {base!r}')

    # ---------------------------------------------------------- set-up
    @staticmethod
    def _build_base(base: Union[Dict, nn.Module]) -> nn.Module:
        if isinstance(base, nn.Module):
            if getattr(base, 'reduction', 'none') != 'none':
                raise ValueError(
                    f'{_NAME}: the base loss {type(base).__name__} has '
                    f"reduction={base.reduction!r}; it must be 'none'")
            return base
        cfg = copy.deepcopy(dict(base))
        if 'type' not in cfg:
            raise ValueError(f'{_NAME}: a base loss config needs a "type", '
                             f'got {base!r}')
        if cfg.get('reduction', 'none') != 'none':
            raise ValueError(
                f'{_NAME}: the base loss is computed per (sample, region) '
                f"and reduced by SDD; do not set reduction="
                f"{cfg['reduction']!r} in {base!r}")
        loss_type = cfg['type']
        loss_cls = MODELS.get(loss_type) if isinstance(loss_type, str) \
            else loss_type
        if loss_cls is None:
            raise ValueError(f'{_NAME}: base loss type {loss_type!r} is not '
                             "registered in mmrazor's MODELS")
        params = inspect.signature(loss_cls.__init__).parameters
        if 'reduction' not in params and not any(
                p.kind == p.VAR_KEYWORD for p in params.values()):
            raise ValueError(
                f"{_NAME}: the base loss {loss_type!r} has no 'reduction' "
                "argument; SDD needs a loss that supports reduction='none' "
                "(one value per sample), or use base='kd' / 'dkd'")
        cfg['reduction'] = 'none'
        return MODELS.build(cfg)

    @staticmethod
    def _takes_labels(loss: nn.Module) -> bool:
        params = [
            p for p in inspect.signature(loss.forward).parameters.values()
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        ]
        return len(params) >= 3 or any(p.name == 'gt_labels' for p in params)

    # ---------------------------------------------------------- forward
    def per_region_loss(self, preds_S: Tensor, preds_T: Tensor,
                        gt_labels: Tensor) -> Tensor:
        """Unweighted base loss ``ℓ`` of every (sample, region): ``[B, N]``.

        Args:
            preds_S: student region logits ``[B, N, K]`` (classes last).
            preds_T: teacher region logits ``[B, N, K]``.
            gt_labels: labels ``[B]``.
        """
        batch, regions, classes = preds_S.shape
        if self.base == 'kd':
            return kl_div(preds_T, preds_S, self.tau)
        labels = gt_labels[:, None].expand(batch, regions)
        if self.base == 'dkd':
            return dkd_per_sample(preds_T, preds_S,
                                  label_mask(labels, classes), self.tau,
                                  self.alpha, self.beta)
        rows_S = preds_S.reshape(batch * regions, classes)
        rows_T = preds_T.reshape(batch * regions, classes)
        args = (rows_S, rows_T)
        if self._base_takes_labels:
            args = args + (labels.reshape(-1), )
        loss = self.base_loss(*args)
        if not isinstance(loss, Tensor) or tuple(loss.shape) != (
                batch * regions, ):
            shape = tuple(loss.shape) if isinstance(loss, Tensor) else loss
            raise ValueError(
                f'{_NAME}: the base loss {type(self.base_loss).__name__} '
                f"returned {shape} with reduction='none' for "
                f'{batch * regions} rows; it must return one value per row '
                "(mmrazor's KLDivergence / DKDLoss return per-class values:"
                " use base='kd' / 'dkd' instead)")
        return loss.reshape(batch, regions)

    def forward(self, preds_S: Tensor, preds_T: Tensor,
                gt_labels: Tensor) -> Tensor:
        """Compute the SDD loss.

        Args:
            preds_S: student region logits ``[B, K, N]``.
            preds_T: teacher region logits ``[B, K, N]`` (detached here).
            gt_labels: class indices ``[B]``.

        Returns:
            Tensor: the scalar loss.
        """
        for name, x in (('preds_S', preds_S), ('preds_T', preds_T)):
            if isinstance(x, Tensor) and x.dim() != 3:
                raise ValueError(
                    f'{_NAME}: {name} must be region logits [B, K, N] from a '
                    f'MultiScaleLogits recorder, got shape {tuple(x.shape)}')
        if isinstance(preds_S, Tensor) and isinstance(preds_T, Tensor) and \
                preds_S.shape != preds_T.shape:
            raise ValueError(
                f'{_NAME}: student and teacher region logits differ in '
                f'shape: preds_S {tuple(preds_S.shape)} vs preds_T '
                f'{tuple(preds_T.shape)} ([B, K, N]: same number of classes '
                'K, and the same scales in both recorders?)')
        preds_S, preds_T = to_float32(preds_S, preds_T.detach())
        # classes last: [B, N, K]; one row per (sample, region). Made
        # contiguous once: every later op then runs on dense rows instead of
        # copying the strided view again
        zs = preds_S.transpose(1, 2).contiguous()
        zt = preds_T.transpose(1, 2).contiguous()
        validate_logits(zs, zt, _NAME)
        batch, regions, classes = zs.shape
        gt_labels = validate_labels(gt_labels, (batch, ), classes, _NAME)
        per_region = self.per_region_loss(zs, zt, gt_labels)
        complementary = sdd_complementary_mask(preds_T, gt_labels)
        weights = torch.ones_like(per_region).masked_fill(
            complementary, self.complementary_weight)
        weighted = weights * per_region
        loss = weighted.sum() / max(batch * regions, 1)
        self.last_terms = term_means(
            {
                'consistent': weighted.masked_fill(complementary, 0.0),
                'complementary': weighted.masked_fill(~complementary, 0.0)
            }, self.loss_weight)
        self.last_stats = term_means(
            {'complementary_frac': complementary.to(weighted.dtype)})
        return self.loss_weight * loss
