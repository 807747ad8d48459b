"""One uniform handle on every distillation loss, for cross-loss tests.

:data:`SPECS` lists the package's losses (LDRLD, RLD, AEKT, SD-KD, SD-DKD,
SDD over other bases) and the KD / DKD baselines, each with a
builder and a call that hides the differences between their signatures
(labels or not, ``[B, C]`` or region logits ``[B, K, N]``, per-sample
``reduction='none'`` or not). Used by ``tests/test_models/test_losses/
test_properties.py`` (hypothesis) and ``test_extremes.py``.
"""
from dataclasses import dataclass
from typing import Callable, Optional, Tuple

import torch
from torch import Tensor, nn

__all__ = ['LossSpec', 'SPECS', 'OURS', 'spec_by_name', 'nonneg_tolerance']


@dataclass(frozen=True)
class LossSpec:
    """How to build and call one loss.

    Attributes:
        name: test id.
        build: ``(tau, reduction, num_classes, **params) -> nn.Module``.
        labels: whether ``forward`` takes ``gt_labels``.
        regions: inputs are region logits ``[B, K, N]`` (SDD).
        min_classes: smallest class count the loss accepts.
        zero_if_identical: ``'always'`` — ``loss(z, z) == 0``;
            ``'teacher_top_is_label'`` — only when ``argmax z == y`` (RLD).
        weight: an upper bound of the sum of the term weights with default
            arguments (scales rounding tolerances): e.g. AEKT's
            ``α·ratio_max + β``, SDD's complementary weight × its base's.
    """
    name: str
    build: Callable[..., nn.Module]
    labels: bool
    regions: bool = False
    min_classes: int = 2
    zero_if_identical: str = 'always'
    weight: float = 1.0

    def __call__(self,
                 loss: nn.Module,
                 zs: Tensor,
                 zt: Tensor,
                 labels: Optional[Tensor] = None) -> Tensor:
        if self.labels:
            return loss(zs, zt, labels)
        return loss(zs, zt)


def _ldrld(tau, reduction, num_classes, **kw):
    from mmkd_logits.models.losses import LDRLDLoss
    topk = kw.pop('topk', min(7, num_classes - 1))
    return LDRLDLoss(tau=tau, topk=topk, reduction=reduction, **kw)


def _rld(tau, reduction, num_classes, **kw):
    from mmkd_logits.models.losses import RLDLoss
    return RLDLoss(tau=tau, reduction=reduction, **kw)


def _aekt(tau, reduction, num_classes, **kw):
    from mmkd_logits.models.losses import AEKTLoss
    return AEKTLoss(tau=tau, reduction=reduction, **kw)


def _sdd(base):

    def build(tau, reduction, num_classes, **kw):
        from mmkd_logits.models.losses import SDDLoss
        b = dict(base, tau=tau) if isinstance(base, dict) else base
        return SDDLoss(base=b, tau=tau, reduction=reduction, **kw)

    return build


def _kd(tau, reduction, num_classes, **kw):
    from mmkd_logits.models.losses import KDLoss
    return KDLoss(tau=tau, reduction=reduction, **kw)


def _dkd(tau, reduction, num_classes, **kw):
    from mmkd_logits.models.losses import DKDLoss
    return DKDLoss(tau=tau, alpha=1.0, beta=8.0, reduction=reduction, **kw)


OURS: Tuple[LossSpec, ...] = (
    LossSpec('kd', _kd, labels=False, weight=1.0),
    LossSpec('dkd', _dkd, labels=True, weight=9.0),
    LossSpec('ldrld', _ldrld, labels=False, min_classes=3, weight=17.5),
    LossSpec(
        'rld',
        _rld,
        labels=True,
        zero_if_identical='teacher_top_is_label',
        weight=9.0),
    LossSpec('aekt', _aekt, labels=True, weight=10.0 * 9.0),
    LossSpec('sdd_kd', _sdd('kd'), labels=True, regions=True, weight=2.0),
    LossSpec('sdd_dkd', _sdd('dkd'), labels=True, regions=True, weight=18.0),
    LossSpec(
        'sdd_ldrld',
        _sdd(dict(type='LDRLDLoss', topk=2)),
        labels=True,
        regions=True,
        min_classes=3,
        weight=35.0),
    LossSpec(
        'sdd_aekt',
        _sdd(dict(type='AEKTLoss')),
        labels=True,
        regions=True,
        weight=180.0),
)

SPECS: Tuple[LossSpec, ...] = OURS


def spec_by_name(name: str) -> LossSpec:
    """The spec called ``name``."""
    return next(s for s in SPECS if s.name == name)


def nonneg_tolerance(spec: LossSpec, tau: float, max_abs: float) -> float:
    """How far below 0 float32 rounding may push a KL-based loss.

    A KL computed as ``Σ p (log p − log q)`` is non-negative in exact
    arithmetic; in float32 each log-probability carries a rounding error of
    about ``eps · (max|z|/τ + log C)``, and the loss multiplies by ``τ²``
    and the term weights. The bound is ``4 · eps32 · weight · τ² ·
    (max|z|/τ + 4)``; hypothesis searches (400 examples per loss) found at
    most 0.07 of it — a sign error would be orders of magnitude beyond.
    """
    eps = torch.finfo(torch.float32).eps
    return 4 * eps * spec.weight * tau**2 * (max_abs / tau + 4.0)
