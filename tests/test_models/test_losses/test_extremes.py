"""Numerical extremes and non-finite logits, for every loss.

* ``|z|`` up to 1e4 at ``T = 1`` (and ``T = 0.5``), up to 1e2 at
  ``T = 16``; one class at a huge margin (the student's top class not the
  teacher's, or not the label); all logits equal; student and teacher at
  opposite extremes — in float32, float16 and bfloat16: the loss and its
  gradient stay finite and the loss non-negative (up to rounding).
* NaN / ±inf logits from the model: every loss of the package, the KD /
  DKD baselines included, raises ``ValueError`` naming the tensor and the
  problem (never a silent 0, never a NaN that trains on).
"""
import itertools

import pytest
import torch

import mmkd_logits  # noqa: F401  (registers the losses)
from tests.helpers.loss_specs import OURS, nonneg_tolerance

B, C, N = 4, 10, 3

pytestmark = pytest.mark.usefixtures('one_thread')
LABELS = torch.tensor([0, 1, 2, 3])
DTYPES = (torch.float32, torch.float16, torch.bfloat16)


def _case(kind: str, big: float):
    """Student / teacher logits ``[B, C]`` of one extreme kind."""
    g = torch.Generator().manual_seed(0)
    zs, zt = torch.zeros(B, C), torch.zeros(B, C)
    if kind == 'uniform':  # anywhere in [-big, big]
        zs = (torch.rand(B, C, generator=g) * 2 - 1) * big
        zt = (torch.rand(B, C, generator=g) * 2 - 1) * big
    elif kind == 'margin_elsewhere':  # student sure of 5, teacher of 6
        zs[:, 5] = big
        zt[:, 6] = big
    elif kind == 'margin_same':  # both sure of the same (wrong) class
        zs[:, 5] = big
        zt[:, 5] = big
    elif kind == 'margin_vs_flat':  # teacher sure of the label, student flat
        zt[torch.arange(B), LABELS] = big
    elif kind == 'label_at_bottom':  # student puts the label at -big
        zs[:, :] = big
        zs[torch.arange(B), LABELS] = -big
        zt[torch.arange(B), LABELS] = big
    elif kind == 'opposite':  # every logit at ±big, teacher = −student
        zs = torch.where(torch.rand(B, C, generator=g) > 0.5, big, -big)
        zt = -zs
    elif kind == 'all_equal':
        zs[:] = big
        zt[:] = -big
    else:
        raise ValueError(kind)
    return zs, zt


KINDS = ('uniform', 'margin_elsewhere', 'margin_same', 'margin_vs_flat',
         'label_at_bottom', 'opposite', 'all_equal')
SETTINGS = ((1.0, 1e4), (0.5, 1e4), (16.0, 1e2))


def _inputs(spec, kind, big, dtype):
    zs, zt = _case(kind, big)
    if spec.regions:  # region logits [B, K, N]: regions disagree a little
        shift = torch.linspace(0, 1, N)
        zs = zs.unsqueeze(-1) + shift
        zt = zt.unsqueeze(-1) - shift
    return zs.to(dtype), zt.to(dtype)


def _check_finite(spec, tau, big, kind, dtype):
    reduction = 'none'
    loss = spec.build(tau, reduction, C)
    zs, zt = _inputs(spec, kind, big, dtype)
    zs.requires_grad_(True)
    out = spec(loss, zs, zt, LABELS)
    values = out.detach()
    msg = f'{spec.name} {kind} T={tau} |z|<={big} {dtype}: {values}'
    assert bool(torch.isfinite(values).all()), msg
    assert float(values.min()) >= -nonneg_tolerance(spec, tau, big), msg
    out.sum().backward()
    assert bool(torch.isfinite(zs.grad).all()), msg + ' (gradient)'
    return values


@pytest.mark.parametrize('tau,big', SETTINGS, ids=lambda v: f'{v:g}')
@pytest.mark.parametrize('spec', OURS, ids=[s.name for s in OURS])
def test_ours_stay_finite_at_extremes(spec, tau, big):
    for kind, dtype in itertools.product(KINDS, DTYPES):
        _check_finite(spec, tau, big, kind, dtype)


def test_identical_extremes_give_zero():
    for spec in OURS:
        if spec.zero_if_identical != 'always':
            continue
        for kind in KINDS:
            zs, _ = _inputs(spec, kind, 1e4, torch.float32)
            loss = spec.build(1.0, 'none', C)
            out = spec(loss, zs, zs.clone(), LABELS)
            assert bool((out == 0).all()), f'{spec.name} {kind}: {out}'


# ------------------------------------------------------------ NaN / inf
BAD = (float('nan'), float('inf'), float('-inf'))


@pytest.mark.parametrize('spec', OURS, ids=[s.name for s in OURS])
def test_non_finite_logits_raise(spec):
    loss = spec.build(4.0, 'none', C)
    for bad, where, dtype in itertools.product(BAD, ('preds_S', 'preds_T'),
                                               DTYPES):
        zs, zt = _inputs(spec, 'uniform', 10.0, dtype)
        target = zs if where == 'preds_S' else zt
        target.view(-1)[7] = bad  # one value in one sample is enough
        with pytest.raises(ValueError) as err:
            spec(loss, zs.requires_grad_(True), zt, LABELS)
        msg = str(err.value)
        case = f'{spec.name}: {bad} in {where} ({dtype}): {msg}'
        assert where in msg and 'non-finite' in msg, case
        assert 'NaN/inf' in msg, case  # and says what to check
