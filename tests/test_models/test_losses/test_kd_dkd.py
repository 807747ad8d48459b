"""KDLoss and DKDLoss: exact to mdistiller's ``kd_loss`` / ``dkd_loss``.

The references below are written from mdistiller's formulas
(``mdistiller/distillers/KD.py``, ``DKD.py``): KD is
``F.kl_div(log_softmax(zs/T), softmax(zt/T), reduction='none').sum(1)
.mean() · T²``; DKD builds the binary [target, rest] probabilities with
``cat_mask`` and the non-target softmax by subtracting ``1000`` at the
target, each KL summed over the batch and divided by ``B``, times ``T²``.
In float64 at moderate logits the two agree to rounding; our losses stay
finite where the ``−1000`` mask does not (see ``test_extremes.py``).
"""
import pytest
import torch
import torch.nn.functional as F

import mmkd_logits  # noqa: F401
from mmkd_logits.models.losses import DKDLoss, KDLoss
from tests.helpers.naive_losses import naive_dkd, naive_kd


def _mdistiller_kd(zs, zt, tau):
    log_s = F.log_softmax(zs / tau, dim=1)
    p_t = F.softmax(zt / tau, dim=1)
    return F.kl_div(log_s, p_t, reduction='none').sum(1).mean() * tau**2


def _mdistiller_dkd(zs, zt, y, alpha, beta, tau):
    gt = torch.zeros_like(zs).scatter_(1, y[:, None], 1).bool()
    other = ~gt
    p_s = F.softmax(zs / tau, dim=1)
    p_t = F.softmax(zt / tau, dim=1)

    def cat(p):
        return torch.cat([(p * gt).sum(1, keepdim=True),
                          (p * other).sum(1, keepdim=True)],
                         dim=1)

    p_s, p_t = cat(p_s), cat(p_t)
    tckd = F.kl_div(torch.log(p_s), p_t, reduction='sum') * tau**2 / len(y)
    p_t2 = F.softmax(zt / tau - 1000.0 * gt, dim=1)
    log_s2 = F.log_softmax(zs / tau - 1000.0 * gt, dim=1)
    nckd = F.kl_div(log_s2, p_t2, reduction='sum') * tau**2 / len(y)
    return alpha * tckd + beta * nckd


def _inputs(b=16, c=100, seed=0, scale=3.0):
    g = torch.Generator().manual_seed(seed)
    zs = torch.randn(b, c, generator=g, dtype=torch.float64) * scale
    zt = torch.randn(b, c, generator=g, dtype=torch.float64) * scale
    y = torch.randint(0, c, (b, ), generator=g)
    return zs, zt, y


@pytest.mark.parametrize('tau', [1.0, 4.0])
def test_kd_equals_mdistiller(tau):
    zs, zt, y = _inputs(seed=1)
    ours = KDLoss(tau=tau)(zs, zt)
    torch.testing.assert_close(
        ours, _mdistiller_kd(zs, zt, tau), rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(
        KDLoss(tau=tau, reduction='none')(zs, zt),
        naive_kd(zs, zt, tau),
        rtol=1e-10,
        atol=1e-12)


@pytest.mark.parametrize('tau,alpha,beta', [(4.0, 1.0, 8.0), (1.0, 1.0, 0.5),
                                            (4.0, 1.0, 2.0), (1.0, 2.0, 6.0)])
def test_dkd_equals_mdistiller(tau, alpha, beta):
    zs, zt, y = _inputs(seed=2)
    ours = DKDLoss(tau=tau, alpha=alpha, beta=beta)(zs, zt, y)
    torch.testing.assert_close(
        ours,
        _mdistiller_dkd(zs, zt, y, alpha, beta, tau),
        rtol=1e-10,
        atol=1e-12)
    per = DKDLoss(tau=tau, alpha=alpha, beta=beta, reduction='none')(zs, zt, y)
    torch.testing.assert_close(
        per, naive_dkd(zs, zt, y, tau, alpha, beta), rtol=1e-10, atol=1e-12)


def test_loss_weight_and_sum():
    zs, zt, y = _inputs(b=5, c=10, seed=3)
    per = DKDLoss(reduction='none')(zs, zt, y)
    torch.testing.assert_close(
        DKDLoss(reduction='sum', loss_weight=0.5)(zs, zt, y), 0.5 * per.sum())
    torch.testing.assert_close(
        KDLoss(loss_weight=0.9)(zs, zt),
        0.9 * KDLoss(reduction='none')(zs, zt).mean())


@pytest.mark.parametrize('loss', [KDLoss(tau=2.0), DKDLoss(tau=2.0, beta=3.0)])
def test_gradcheck(loss):
    zs, zt, y = _inputs(b=3, c=6, seed=4)
    zs.requires_grad_()
    labels = y if loss.uses_labels else None
    assert torch.autograd.gradcheck(lambda s: loss(s, zt, labels), (zs, ))


@pytest.mark.parametrize('loss', [KDLoss(tau=1.0), DKDLoss(tau=1.0)])
def test_finite_at_1e4_where_the_1000_mask_overflows(loss):
    zs, zt, y = _inputs(b=4, c=10, seed=5, scale=1e4)
    labels = y if loss.uses_labels else None
    zs.requires_grad_()
    out = loss(zs.float(), zt.float(), labels)
    out.backward()
    assert torch.isfinite(out) and out >= 0
    assert torch.isfinite(zs.grad).all()


def test_teacher_detached_and_registry_names():
    from mmrazor.registry import MODELS
    zs, zt, y = _inputs(b=4, c=10, seed=6)
    zs.requires_grad_()
    zt.requires_grad_()
    DKDLoss()(zs, zt, y).backward()
    assert zt.grad is None and zs.grad.abs().sum() > 0
    assert isinstance(MODELS.build(dict(type='KDLoss', tau=2)), KDLoss)
    # mmrazor keeps its own 'DKDLoss' under that string
    assert isinstance(MODELS.build(dict(type='DecoupledKDLoss')), DKDLoss)
    assert isinstance(MODELS.build(dict(type=DKDLoss, beta=2.0)), DKDLoss)
