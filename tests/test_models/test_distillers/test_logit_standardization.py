"""``LogitDistiller(logit_standardization=True)`` for every loss.

Logit standardization (Sun et al., "Logit Standardization in Knowledge
Distillation", CVPR 2024) z-scores the student's and the teacher's logits
before the loss. The distiller is run here as in training — mmrazor's
recorders capture the logits and labels from a forward pass of two tiny
models whose ``head.fc`` outputs the given logits — and compared with:

* KD and DKD: the authors' formulas, in float64, from the loop-based
  references of ``tests/helpers/naive_losses.py`` applied to logits
  standardized by :func:`naive_standardize` (written from the authors'
  ``normalize``: unbiased std, ``1e-7`` added to it);
* every loss (RLD, LDRLD, SD-KD / SD-DKD per region, AEKT, KD, DKD): the
  loss itself called on the naively standardized logits.
"""
import math
from typing import Dict, List, Optional

import pytest
import torch
from torch import Tensor, nn

from mmkd_logits.models import LogitDistiller
from mmkd_logits.models.losses import (AEKTLoss, DKDLoss, KDLoss, LDRLDLoss,
                                       RLDLoss, SDDLoss)
from mmkd_logits.utils.errors import ConfigError
from tests.helpers.naive_losses import naive_dkd, naive_kd

pytestmark = pytest.mark.usefixtures('one_thread')


# ------------------------------------------------------------ references
def _zscore(row: List[float], eps: float = 1e-7) -> List[float]:
    n = len(row)
    mean = math.fsum(row) / n
    std = math.sqrt(math.fsum((v - mean)**2 for v in row) / (n - 1))
    return [(v - mean) / (std + eps) for v in row]


def naive_standardize(x: Tensor, regions: bool = False) -> Tensor:
    """The authors' z-score over the classes, float64: the last dimension,
    or dim 1 of region logits ``[B, K, N]`` (one z-score per region)."""
    x = x.detach().double()
    if regions:
        return naive_standardize(x.transpose(1, 2)).transpose(1, 2)
    rows = [_zscore(r) for r in x.reshape(-1, x.shape[-1]).tolist()]
    return torch.tensor(rows, dtype=torch.float64).reshape(x.shape)


# --------------------------------------------------- a distiller, as run
class _LossModule(nn.Module):

    def forward(self, cls_score: Tensor, gt_label: Tensor) -> Tensor:
        return cls_score.sum() * 0


class _Head(nn.Module):

    def __init__(self) -> None:
        super().__init__()
        self.fc = nn.Identity()  # outputs the logits it is given
        self.loss_module = _LossModule()


class _Model(nn.Module):

    def __init__(self) -> None:
        super().__init__()
        self.head = _Head()

    def forward(self, logits: Tensor, labels: Tensor) -> Tensor:
        out = self.head.fc(logits)
        self.head.loss_module(out, labels)
        return out


LOGITS = dict(
    preds_S=dict(from_student=True, recorder='fc'),
    preds_T=dict(from_student=False, recorder='fc'))
LABELS = dict(
    gt_labels=dict(recorder='gt_labels', from_student=True, data_idx=1))


class Run:
    """A built :class:`LogitDistiller` with one loss ``loss_x``; call it
    with the logits and labels of one step."""

    def __init__(self,
                 loss_cfg: dict,
                 standardize: Optional[bool],
                 labels: bool = True) -> None:
        options = {} if standardize is None else dict(
            logit_standardization=standardize)
        self.distiller = LogitDistiller(
            student_recorders=dict(
                fc=dict(type='ModuleOutputs', source='head.fc'),
                gt_labels=dict(type='ModuleInputs',
                               source='head.loss_module')),
            teacher_recorders=dict(
                fc=dict(type='ModuleOutputs', source='head.fc')),
            distill_losses=dict(loss_x=loss_cfg),
            loss_forward_mappings=dict(
                loss_x=dict(LOGITS, **LABELS) if labels else LOGITS),
            allow_random_teacher=True,
            **options)
        self.student, self.teacher = _Model(), _Model()
        self.distiller.prepare_from_student(self.student)
        self.distiller.prepare_from_teacher(self.teacher)

    def __call__(self, zs: Tensor, zt: Tensor,
                 labels: Tensor) -> Dict[str, Tensor]:
        with self.distiller.student_recorders, \
                self.distiller.teacher_recorders:
            self.student(zs, labels)
            self.teacher(zt, labels)
        return self.distiller.compute_distill_losses()


#: every loss of the package: (config, uses labels, region logits)
LOSSES = {
    'kd': (dict(type=KDLoss, tau=2.0, loss_weight=9.0), False, False),
    'dkd': (dict(type=DKDLoss, tau=2.0, alpha=9.0, beta=72.0), True, False),
    'rld': (dict(type=RLDLoss, tau=2.0, alpha=9.0, beta=72.0,
                 alpha_tau=2.0), True, False),
    'ldrld': (dict(type=LDRLDLoss, tau=2.0, topk=4,
                   loss_weight=9.0), False, False),
    'aekt': (dict(type=AEKTLoss, tau=2.0, alpha=9.0, beta=72.0), True, False),
    'sdd_kd': (dict(type=SDDLoss, base='kd', tau=2.0,
                    loss_weight=9.0), True, True),
    'sdd_dkd': (dict(type=SDDLoss, base='dkd', tau=2.0, alpha=9.0,
                     beta=72.0), True, True),
    'sdd_ldrld': (dict(type=SDDLoss, base=dict(type=LDRLDLoss,
                                               topk=3)), True, True),
}


def _inputs(name: str,
            dtype=torch.float64,
            batch: int = 4,
            classes: int = 8,
            regions: int = 5,
            seed: int = 0):
    gen = torch.Generator().manual_seed(seed)
    shape = (batch, classes, regions) if LOSSES[name][2] else (batch, classes)
    # student and teacher on different scales: standardization matters
    zs = torch.randn(shape, generator=gen, dtype=dtype) * 3 + 1
    zt = torch.randn(shape, generator=gen, dtype=dtype) * 9 - 2
    labels = torch.randint(0, classes, (batch, ), generator=gen)
    return zs, zt, labels


def _reference_loss(name: str) -> nn.Module:
    from mmrazor.registry import MODELS
    return MODELS.build(dict(LOSSES[name][0]))


def _call(loss: nn.Module, name: str, zs: Tensor, zt: Tensor, labels: Tensor):
    uses_labels = LOSSES[name][1]
    return loss.compute(zs, zt, labels if uses_labels else None)


# ---------------------------------------------------------------- tests
def test_off_by_default():
    run = Run(LOSSES['kd'][0], standardize=None, labels=False)
    assert run.distiller.logit_standardization is False
    zs, zt, labels = _inputs('kd')
    out = run(zs, zt, labels)
    expected = _call(_reference_loss('kd'), 'kd', zs, zt, labels).loss
    torch.testing.assert_close(out['loss_x'], expected, rtol=0, atol=0)


@pytest.mark.parametrize('name', sorted(LOSSES))
def test_on_equals_the_loss_on_standardized_logits(name):
    _, uses_labels, regions = LOSSES[name]
    zs, zt, labels = _inputs(name)
    out_on = Run(LOSSES[name][0], True, uses_labels)(zs, zt, labels)
    out_off = Run(LOSSES[name][0], False, uses_labels)(zs, zt, labels)
    loss = _reference_loss(name)
    expected = _call(loss, name, naive_standardize(zs, regions),
                     naive_standardize(zt, regions), labels)
    torch.testing.assert_close(
        out_on['loss_x'], expected.loss, rtol=1e-10, atol=1e-12)
    # the logged terms are the standardized loss's terms
    short = 'x'
    for term, value in expected.terms.items():
        torch.testing.assert_close(
            out_on[f'{short}.{term}'], value, rtol=1e-10, atol=1e-12)
    # off: the loss on the raw logits, which differs here
    raw = _call(loss, name, zs, zt, labels).loss
    torch.testing.assert_close(out_off['loss_x'], raw, rtol=0, atol=0)
    assert not torch.allclose(out_on['loss_x'], raw, rtol=1e-3)


def test_kd_with_ls_is_the_authors_formula():
    # L = w · τ² · KL(softmax(Z(zt)/τ) ‖ softmax(Z(zs)/τ)), batch mean;
    # the authors' CIFAR-100 setting: τ = 2 (--base-temp), w = 9
    zs, zt, labels = _inputs('kd', batch=6, classes=10, seed=1)
    out = Run(LOSSES['kd'][0], True, labels=False)(zs, zt, labels)
    expected = 9.0 * naive_kd(
        naive_standardize(zs), naive_standardize(zt), 2.0).mean()
    torch.testing.assert_close(out['loss_x'], expected, rtol=1e-12, atol=1e-12)


def test_dkd_with_ls_is_the_authors_formula():
    # α·TCKD + β·NCKD on Z(zs), Z(zt) at τ = 2 with α = 1·9, β = 8·9 (the
    # authors' --logit-stand --base-temp 2 --kd-weight 9 on DKD's 1 / 8)
    zs, zt, labels = _inputs('dkd', batch=6, classes=10, seed=2)
    out = Run(LOSSES['dkd'][0], True)(zs, zt, labels)
    expected = naive_dkd(
        naive_standardize(zs), naive_standardize(zt), labels, 2.0, 9.0,
        72.0).mean()
    torch.testing.assert_close(out['loss_x'], expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize('name', sorted(LOSSES))
def test_gradcheck_through_the_distiller(name):
    cfg, uses_labels, _ = LOSSES[name]
    if name == 'aekt':
        # AEKT's ratio is a stop-gradient by design, which finite
        # differences cannot see (test_aekt.py); check it without
        cfg = dict(cfg, detach_ratio=False, ratio_max=1e3)
    run = Run(cfg, True, uses_labels)
    zs, zt, labels = _inputs(name, batch=2, classes=5, regions=3, seed=3)
    zs.requires_grad_(True)

    def loss_of(x):
        return run(x, zt, labels)['loss_x']

    assert torch.autograd.gradcheck(loss_of, (zs, ))


def test_the_teacher_gets_no_gradient():
    run = Run(LOSSES['dkd'][0], True)
    zs, zt, labels = _inputs('dkd')
    zs.requires_grad_(True)
    zt.requires_grad_(True)
    run(zs, zt, labels)['loss_x'].backward()
    assert zs.grad is not None and torch.isfinite(zs.grad).all()
    assert zt.grad is None


@pytest.mark.parametrize('name', sorted(LOSSES))
def test_constant_and_extreme_rows_stay_finite(name):
    _, uses_labels, regions = LOSSES[name]
    zs, zt, labels = _inputs(name, dtype=torch.float32, batch=5)
    # sample 0: constant student (std 0); 1: constant teacher; 2: both;
    # 3: huge logits; 4: one outlier
    zs[0] = 0.7
    zt[1] = -2.0
    zs[2], zt[2] = 5.0, 5.0
    zs[3] = zs[3] * 1e4
    zt[3] = zt[3] * 1e30
    zs[4].zero_()
    zs[4].view(-1)[0] = 1e6
    zs.requires_grad_(True)
    out = Run(LOSSES[name][0], True, uses_labels)(zs, zt, labels)
    value = out['loss_x']
    assert torch.isfinite(value), value
    value.backward()
    assert torch.isfinite(zs.grad).all()


def test_non_finite_logits_are_reported_as_recorded():
    # the check reads the model's logits before standardization spreads a
    # NaN over its row: the message counts the one NaN
    run = Run(LOSSES['dkd'][0], True)
    zs, zt, labels = _inputs('dkd', dtype=torch.float32)
    zs[1, 2] = float('nan')
    with pytest.raises(ValueError, match=r'preds_S contains 1 non-finite'):
        run(zs, zt, labels)


def test_shapes_are_checked_before_standardizing():
    run = Run(LOSSES['sdd_dkd'][0], True)
    zs, zt, labels = _inputs('dkd')  # [B, C], not region logits
    with pytest.raises(ValueError, match=r'region logits \[B, K, N\]'):
        run(zs, zt, labels)


@pytest.mark.parametrize('value', ['yes', 1, 0.0, dict(eps=1e-7)])
def test_the_option_must_be_a_bool(value):
    with pytest.raises(
            ConfigError, match='logit_standardization must be True or False'):
        Run(LOSSES['kd'][0], value, labels=False)


def test_only_for_the_package_losses():
    # mmrazor's own KL loss: its class dimension is not known to us
    from mmrazor.models.losses import KLDivergence
    with pytest.raises(
            ConfigError, match=r'distill_losses.loss_x \(KLDivergence\)'):
        Run(dict(type=KLDivergence), True, labels=False)
    # without standardization it is accepted as before
    Run(dict(type=KLDivergence), False, labels=False)
