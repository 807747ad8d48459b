"""RLDLoss: values against the naive reference and DKD, gradients,
reductions, dtypes and errors."""
import pytest
import torch
from mmrazor.models.losses import DKDLoss
from mmrazor.registry import MODELS

import mmkd_logits  # noqa: F401  (registers the losses)
from mmkd_logits.models.losses import RLDLoss
from mmkd_logits.models.losses.utils import (binary_kl, label_mask, log_binary,
                                             subset_kl)
from tests.helpers.naive_losses import naive_dkd, naive_rld

RTOL = 1e-6


def _inputs(b, c, scale=3.0, seed=0):
    g = torch.Generator().manual_seed(seed)
    zs = torch.randn(b, c, generator=g, dtype=torch.float64) * scale
    zt = torch.randn(b, c, generator=g, dtype=torch.float64) * scale
    y = torch.randint(0, c, (b, ), generator=g)
    return zs, zt, y


def _check(zs, zt, y, tau=4.0, alpha=1.0, beta=8.0, alpha_tau=None):
    got = RLDLoss(
        tau=tau, alpha=alpha, beta=beta, alpha_tau=alpha_tau,
        reduction='none')(zs, zt, y)
    ref = naive_rld(zs, zt, y, tau, alpha, beta, alpha_tau)
    assert got.dtype == torch.float64 and torch.isfinite(got).all()
    torch.testing.assert_close(got, ref, rtol=RTOL, atol=1e-12)
    return got


# ------------------------------------------------------------------ values
@pytest.mark.parametrize('tau', [1.0, 4.0])
@pytest.mark.parametrize('alpha_tau', [None, 2.0])
def test_matches_naive(tau, alpha_tau):
    zs, zt, y = _inputs(8, 10, seed=int(tau))
    _check(zs, zt, y, tau=tau, alpha=1.5, beta=0.5, alpha_tau=alpha_tau)


def test_label_ranked_last_gives_empty_mcd():
    zs, zt, _ = _inputs(4, 6, seed=1)
    y = zt.argmin(-1)  # every class scores >= zt_y: R is empty
    got = _check(zs, zt, y)
    scd_only = RLDLoss(beta=0.0, reduction='none')(zs, zt, y)
    torch.testing.assert_close(got, scd_only)
    # the empty set contributes no gradient either
    s = zs.clone().requires_grad_()
    RLDLoss(alpha=0.0)(s, zt, y).backward()
    assert torch.equal(s.grad, torch.zeros_like(s))


def test_ties_with_label_are_masked():
    zs, zt, _ = _inputs(3, 6, seed=2)
    zt[:, 0] = 2.0
    zt[:, 1] = 2.0  # class 1 ties with the label 0: masked out of R
    zt[0, 2] = 5.0  # the teacher's top class is not the label (sample 0)
    zt[1, 2:] = 2.0  # all tied: argmax is the first, R empty
    _check(zs, zt, torch.zeros(3, dtype=torch.long))


def test_two_classes():
    zs, zt, y = _inputs(6, 2, seed=3)
    _check(zs, zt, y)


@pytest.mark.parametrize('scale', [1e4, 1e-4])
def test_extreme_logits(scale):
    zs, zt, y = _inputs(6, 10, seed=4)
    zs, zt = zs / 3 * scale, zt / 3 * scale
    _check(zs, zt, y, tau=1.0, beta=0.5)
    s = zs.float().requires_grad_()
    out = RLDLoss(tau=1.0)(s, zt.float(), y)
    out.backward()
    assert torch.isfinite(out) and torch.isfinite(s.grad).all()


def test_equals_dkd_when_teacher_top_is_label():
    zs, zt, y = _inputs(16, 10, seed=5)
    zt.scatter_(1, y[:, None], zt.max(1, keepdim=True).values + 1.0)
    for tau, alpha, beta in [(4.0, 1.0, 8.0), (1.0, 1.0, 0.5)]:
        rld = RLDLoss(tau=tau, alpha=alpha, beta=beta)(zs, zt, y)
        # mmrazor's DKDLoss with reduction='batchmean' divides the batch sum
        # by B (its F.kl_div(size_average=False, reduction='batchmean') is a
        # sum followed by torch's batchmean division); its 'none' / 'mean'
        # return the batch sum
        dkd = DKDLoss(
            tau=tau, alpha=alpha, beta=beta, reduction='batchmean')(zs, zt, y)
        torch.testing.assert_close(rld, dkd, rtol=RTOL, atol=1e-12)
        torch.testing.assert_close(
            rld,
            naive_dkd(zs, zt, y, tau, alpha, beta).mean(),
            rtol=RTOL,
            atol=1e-12)


def test_zero_when_student_equals_teacher_and_teacher_right():
    zs, zt, y = _inputs(4, 10, seed=6)
    y = zt.argmax(-1)
    out = RLDLoss(reduction='none')(zt.clone(), zt, y)
    torch.testing.assert_close(
        out, torch.zeros(4, dtype=torch.float64), rtol=0, atol=1e-12)


# ---------------------------------------------------------------- gradients
def test_gradcheck():
    zs, zt, y = _inputs(4, 7, seed=7)
    zs.requires_grad_()
    loss = RLDLoss(tau=2.0, alpha_tau=1.5, reduction='sum')
    assert torch.autograd.gradcheck(lambda s: loss(s, zt, y), (zs, ))


def _autograd_rld(zs, zt, y, tau, alpha, beta, tau_a):
    """RLD through plain autograd on the shared helpers (no custom
    backward): the reference for the hand-written gradient."""
    c = zs.shape[-1]
    log_pt, log_qt = log_binary(zt / tau_a, label_mask(zt.argmax(-1), c))
    log_ps, log_qs = log_binary(zs / tau_a, label_mask(y, c))
    scd = binary_kl(log_pt, log_qt, log_ps, log_qs) * tau_a**2
    mcd = subset_kl(zt, zs, tau, zt < zt.gather(-1, y[:, None]))
    return alpha * scd + beta * mcd


@pytest.mark.parametrize('tau,tau_a', [(4.0, 4.0), (1.0, 1.0), (2.0, 0.7)])
def test_hand_written_gradient_matches_autograd(tau, tau_a):
    zs, zt, y = _inputs(12, 9, seed=11)
    y[:3] = zt[:3].argmin(-1)  # empty R
    y[3:6] = zt[3:6].argmax(-1)  # teacher right
    zt[6, :] = zt[6, 0]  # all tied
    w = torch.rand(12, dtype=torch.float64)  # a non-uniform upstream grad
    s1 = zs.clone().requires_grad_()
    loss = RLDLoss(
        tau=tau, alpha=1.3, beta=0.7, alpha_tau=tau_a, reduction='none')
    (loss(s1, zt, y) * w).sum().backward()
    s2 = zs.clone().requires_grad_()
    (_autograd_rld(s2, zt, y, tau, 1.3, 0.7, tau_a) * w).sum().backward()
    torch.testing.assert_close(s1.grad, s2.grad, rtol=1e-9, atol=1e-12)


def test_gradcheck_per_sample_with_empty_r_and_dominant_label():
    zs, zt, y = _inputs(5, 6, seed=12)
    y[0] = zt[0].argmin()  # empty R
    zs[1, y[1]] = 40.0  # the student is sure of y: qs_y ~ 1e-17
    zs.requires_grad_()
    for alpha, beta in [(1.0, 0.0), (0.0, 1.0), (2.0, 3.0)]:
        loss = RLDLoss(
            tau=1.5, alpha=alpha, beta=beta, alpha_tau=0.9, reduction='none')
        assert torch.autograd.gradcheck(lambda s: loss(s, zt, y), (zs, ))


def test_terms_add_up_to_the_loss():
    zs, zt, y = _inputs(8, 10, seed=13)
    loss = RLDLoss(tau=2.0, alpha=1.5, beta=0.5, loss_weight=0.25)
    out, terms, _ = loss.compute(zs, zt, y)
    assert set(terms) == {'scd', 'mcd'}
    assert not any(t.requires_grad for t in terms.values())
    torch.testing.assert_close(terms['scd'] + terms['mcd'], out)
    mcd_only = RLDLoss(
        tau=2.0, alpha=0.0, beta=0.5, loss_weight=0.25)(zs, zt, y)
    torch.testing.assert_close(terms['mcd'], mcd_only)


def test_gradient_reaches_student_only():
    zs, zt, y = _inputs(4, 10, seed=8)
    zs.requires_grad_()
    zt.requires_grad_()
    RLDLoss()(zs, zt, y).backward()
    assert zs.grad is not None and zs.grad.abs().sum() > 0
    assert zt.grad is None


# --------------------------------------------------------------- reductions
def test_reductions_and_loss_weight():
    zs, zt, y = _inputs(6, 10, seed=9)
    per = RLDLoss(reduction='none')(zs, zt, y)
    assert per.shape == (6, )
    torch.testing.assert_close(RLDLoss()(zs, zt, y), per.mean())
    torch.testing.assert_close(RLDLoss(reduction='sum')(zs, zt, y), per.sum())
    torch.testing.assert_close(
        RLDLoss(loss_weight=3.0)(zs, zt, y), 3.0 * per.mean())


def test_registry_build():
    from mmengine.registry import DefaultScope

    # other tests may leave a different default scope behind
    with DefaultScope.overwrite_default_scope('mmrazor'):
        loss = MODELS.build(dict(type='RLDLoss', tau=1, beta=0.5))
    assert isinstance(loss, RLDLoss) and loss.alpha_tau == 1.0


# ------------------------------------------------------------ dtypes / amp
@pytest.mark.parametrize('dtype', [torch.float16, torch.bfloat16])
def test_half_inputs_computed_in_float32(dtype):
    zs, zt, y = _inputs(4, 10, seed=10)
    ref = RLDLoss()(zs.to(dtype).double(), zt.to(dtype).double(), y)
    s = zs.to(dtype).requires_grad_()
    out = RLDLoss()(s, zt.to(dtype), y)
    assert out.dtype == torch.float32
    torch.testing.assert_close(out.double(), ref, rtol=1e-5, atol=1e-6)
    out.backward()
    assert s.grad.dtype == dtype and torch.isfinite(s.grad.float()).all()


def test_autocast_disabled_inside():
    zs, zt, y = _inputs(4, 10, seed=11)
    with torch.autocast('cpu', dtype=torch.bfloat16):
        out = RLDLoss()(zs.float(), zt.float(), y)
    assert out.dtype == torch.float32
    torch.testing.assert_close(
        out.double(), RLDLoss()(zs, zt, y), rtol=1e-5, atol=1e-6)


# ------------------------------------------------------------------ errors
def test_shape_mismatch():
    with pytest.raises(ValueError, match=r'\(4, 10\).*\(4, 11\)'):
        RLDLoss()(torch.randn(4, 10), torch.randn(4, 11),
                  torch.zeros(4, dtype=torch.long))


@pytest.mark.parametrize('labels, match', [
    (torch.tensor([0, 10, 2, -1]), r'\[10, -1\]'),
    (torch.tensor([0., 1., 2., 3.]), 'integer'),
    (torch.tensor([0, 1, 2]), r'shape \(3,\)'),
    ([0, 1, 2, 3], 'LongTensor'),
])
def test_bad_labels(labels, match):
    with pytest.raises(ValueError, match=match):
        RLDLoss()(torch.randn(4, 10), torch.randn(4, 10), labels)


@pytest.mark.parametrize('bad', [float('nan'), float('-inf')])
def test_non_finite_logits(bad):
    zs, zt = torch.randn(3, 10), torch.randn(3, 10)
    zs[0, 3] = bad
    with pytest.raises(ValueError, match=rf'preds_S.*\[0, 3\].*{bad}'):
        RLDLoss()(zs, zt, torch.zeros(3, dtype=torch.long))


@pytest.mark.parametrize('kwargs, match', [
    (dict(tau=0), 'tau'),
    (dict(alpha_tau=-2.0), 'alpha_tau'),
    (dict(alpha=-1), 'alpha'),
    (dict(beta=float('inf')), 'beta'),
    (dict(reduction='mean'), 'reduction'),
])
def test_bad_constructor_args(kwargs, match):
    with pytest.raises(ValueError, match=match):
        RLDLoss(**kwargs)


# ------------------------------------------------- config / training step
@pytest.mark.slow
def test_imagenet_config_trains_with_warmup(tmp_path):
    import math

    from tests.helpers.datasets import make_imagenet
    from tests.helpers.training import build_and_train, imagenet_tiny_options
    root = make_imagenet(
        tmp_path / 'data',
        num_classes=4,
        per_class=2,
        val_per_class=1,
        size=32)
    runner = build_and_train(
        'rld_r34_r18_imagenet.py',
        tmp_path / 'work',
        imagenet_tiny_options(root, image_size=32),
        iters=2)
    model = runner.model
    assert type(model).__name__ == 'SingleTeacherDistill'
    loss = model.distiller.distill_losses['loss_rld']
    assert isinstance(loss, RLDLoss)
    assert (loss.tau, loss.alpha, loss.beta, loss.alpha_tau) == (1.0, 1.0, 0.5,
                                                                 1.0)
    assert runner.iter == 2
    scalars = runner.message_hub.log_scalars
    assert math.isfinite(scalars['train/distill.loss_rld'].current())
    # a 1-epoch warm-up, min(epoch / 1, 1) with 1-based epochs, is a factor
    # of 1 from the first step (the authors' per-epoch semantics)
    factors = scalars['train/distill.warmup_factor'].data[0].tolist()
    assert factors == [1.0, 1.0]
    assert loss.loss_weight == 1.0  # nothing writes the loss's weight
