"""LDRLDLoss: values against the naive reference, gradients, reductions,
dtypes and errors."""
import math

import pytest
import torch
from mmrazor.registry import MODELS

import mmkd_logits  # noqa: F401  (registers the losses)
from mmkd_logits.models.losses import LDRLDLoss
from mmkd_logits.models.losses.ldrld_loss import (adw_weights,
                                                  ranked_topk_indices)
from tests.helpers.naive_losses import naive_ldrld

RTOL = 1e-6


def _logits(b, c, scale=3.0, seed=0):
    g = torch.Generator().manual_seed(seed)
    zs = torch.randn(b, c, generator=g, dtype=torch.float64) * scale
    zt = torch.randn(b, c, generator=g, dtype=torch.float64) * scale
    return zs, zt


def _check(zs, zt, **kw):
    loss = LDRLDLoss(reduction='none', **kw)
    got = loss(zs, zt)
    names = dict(
        tau='tau',
        topk='topk',
        alpha='alpha',
        beta='beta',
        irw_eps='eps',
        erd_scale='delta',
        erd_decay='lam')
    ref = naive_ldrld(zs, zt, **{names[k]: v for k, v in kw.items()})
    assert got.dtype == torch.float64
    assert torch.isfinite(got).all()
    torch.testing.assert_close(got, ref, rtol=RTOL, atol=1e-12)
    return got


# ------------------------------------------------------------- ADW weights
def test_adw_weights_from_formula():
    # computed here from the paper's formula, not read from the code
    def adw(r, r2):
        return 1 / (abs(r - r2) + 1.5) * 2.0 * math.exp(-0.05 * (r + r2))

    expected = [adw(r, r2) for r in range(1, 8) for r2 in range(r + 1, 8)]
    assert len(expected) == 21
    assert math.fsum(expected) == pytest.approx(7.7237, abs=5e-5)
    assert adw(1, 2) == pytest.approx(0.6886, abs=5e-5)
    first, second, weights = adw_weights(7)
    assert (first < second).all() and weights.numel() == 21
    torch.testing.assert_close(weights,
                               torch.tensor(expected, dtype=torch.float64))
    loss = LDRLDLoss()
    assert float(loss.adw.sum()) == pytest.approx(7.7237, abs=5e-5)
    assert float(loss.adw[0]) == pytest.approx(0.6886, abs=5e-5)
    # non-persistent buffers: nothing is written into checkpoints
    assert loss.state_dict() == {}


# ------------------------------------------------------------------ values
@pytest.mark.parametrize('tau', [1.0, 4.0])
@pytest.mark.parametrize('topk', [2, 3, 7])
def test_matches_naive(tau, topk):
    zs, zt = _logits(5, 12, seed=topk)
    _check(zs, zt, tau=tau, topk=topk)


def test_matches_naive_custom_weights():
    zs, zt = _logits(4, 9, seed=3)
    _check(
        zs,
        zt,
        tau=2.0,
        topk=4,
        alpha=1.5,
        beta=0.3,
        irw_eps=0.5,
        erd_scale=1.0,
        erd_decay=0.2)


def test_c_just_above_topk():
    # C = d + 1: the remaining set has one class, its KL is 0
    zs, zt = _logits(4, 8, seed=1)
    got = _check(zs, zt, topk=7)
    alpha_only = LDRLDLoss(beta=0.0, reduction='none')(zs, zt)
    torch.testing.assert_close(got, alpha_only, rtol=RTOL, atol=1e-12)
    _check(*_logits(3, 3, seed=2), topk=2)


def test_ties_in_topk():
    # ties inside the selection, across the d-th position and all-equal
    zs = torch.tensor(
        [[3., 3., 3., 1., 1., 1., 0., 0.], [1., 2., 2., 2., 2., 2., 0., -1.],
         [0., 0., 0., 0., 0., 0., 0., 0.], [5., 1., 1., 1., 4., 1., 1., 2.]],
        dtype=torch.float64)
    zt = _logits(4, 8, seed=5)[1]
    _check(zs, zt, topk=4)
    _check(zs, zt, topk=2)
    idx = ranked_topk_indices(zs, 4)
    assert idx.tolist() == [[0, 1, 2, 3], [1, 2, 3, 4], [0, 1, 2, 3],
                            [0, 4, 7, 1]]


def test_ranked_topk_matches_stable_sort():
    g = torch.Generator().manual_seed(0)
    z = torch.randint(0, 4, (50, 20), generator=g).float()
    for k in (1, 2, 5, 19, 20):
        ref = torch.sort(z, dim=-1, descending=True, stable=True).indices
        assert torch.equal(ranked_topk_indices(z, k), ref[:, :k])


@pytest.mark.parametrize('scale', [1e4, 1e-4])
def test_extreme_logits(scale):
    zs, zt = _logits(4, 10, seed=7)
    zs, zt = zs / 3 * scale, zt / 3 * scale
    got = _check(zs, zt, tau=1.0, topk=7)
    # float32 stays finite as well, with finite gradients
    zs32 = zs.float().requires_grad_()
    out = LDRLDLoss(tau=1.0)(zs32, zt.float())
    out.backward()
    assert torch.isfinite(out) and torch.isfinite(zs32.grad).all()
    assert torch.isfinite(got).all()


def test_identical_logits_give_zero():
    zs, _ = _logits(3, 10)
    torch.testing.assert_close(
        LDRLDLoss(reduction='none')(zs, zs.clone()),
        torch.zeros(3, dtype=torch.float64),
        rtol=0,
        atol=1e-12)


def test_extra_leading_dims():
    zs, zt = _logits(6, 10, seed=4)
    flat = LDRLDLoss(reduction='none')(zs, zt)
    nested = LDRLDLoss(reduction='none')(zs.view(2, 3, 10), zt.view(2, 3, 10))
    torch.testing.assert_close(nested.reshape(-1), flat)


# ---------------------------------------------------------------- gradients
def test_gradcheck():
    zs, zt = _logits(3, 9, seed=8)
    zs.requires_grad_()
    loss = LDRLDLoss(tau=2.0, topk=4, reduction='sum')
    assert torch.autograd.gradcheck(lambda s: loss(s, zt), (zs, ))


def test_gradient_reaches_student_only():
    zs, zt = _logits(4, 10, seed=9)
    zs.requires_grad_()
    zt.requires_grad_()
    LDRLDLoss()(zs, zt).backward()
    assert zs.grad is not None and zs.grad.abs().sum() > 0
    assert zt.grad is None


# --------------------------------------------------------------- reductions
def test_reductions_and_loss_weight():
    zs, zt = _logits(6, 10, seed=10)
    per = LDRLDLoss(reduction='none')(zs, zt)
    assert per.shape == (6, )
    torch.testing.assert_close(
        LDRLDLoss(reduction='batchmean')(zs, zt), per.mean())
    torch.testing.assert_close(LDRLDLoss(reduction='sum')(zs, zt), per.sum())
    torch.testing.assert_close(
        LDRLDLoss(loss_weight=0.25)(zs, zt), 0.25 * per.mean())


def test_registry_build():
    from mmengine.registry import DefaultScope

    # other tests may leave a different default scope behind
    with DefaultScope.overwrite_default_scope('mmrazor'):
        loss = MODELS.build(dict(type='LDRLDLoss', tau=1, topk=5))
    assert isinstance(loss, LDRLDLoss) and loss.topk == 5


# ------------------------------------------------------------ dtypes / amp
@pytest.mark.parametrize('dtype', [torch.float16, torch.bfloat16])
def test_half_inputs_computed_in_float32(dtype):
    zs, zt = _logits(4, 10, seed=11)
    ref = LDRLDLoss()(zs.to(dtype).double(), zt.to(dtype).double())
    s = zs.to(dtype).requires_grad_()
    out = LDRLDLoss()(s, zt.to(dtype))
    assert out.dtype == torch.float32
    torch.testing.assert_close(out.double(), ref, rtol=1e-5, atol=1e-6)
    out.backward()
    assert s.grad.dtype == dtype and torch.isfinite(s.grad.float()).all()


def test_autocast_disabled_inside():
    zs, zt = _logits(4, 10, seed=12)
    with torch.autocast('cpu', dtype=torch.bfloat16):
        out = LDRLDLoss()(zs.float(), zt.float())
    assert out.dtype == torch.float32
    torch.testing.assert_close(
        out.double(), LDRLDLoss()(zs, zt), rtol=1e-5, atol=1e-6)


# ------------------------------------------------------------------ errors
def test_shape_mismatch():
    with pytest.raises(ValueError, match=r'\(4, 10\).*\(4, 11\)'):
        LDRLDLoss()(torch.randn(4, 10), torch.randn(4, 11))


@pytest.mark.parametrize('c', [3, 7])
def test_topk_not_below_num_classes(c):
    with pytest.raises(ValueError, match=rf'topk=7.*{c} classes'):
        LDRLDLoss(topk=7)(torch.randn(2, c), torch.randn(2, c))


@pytest.mark.parametrize('bad', [float('nan'), float('inf')])
def test_non_finite_logits(bad):
    zs, zt = torch.randn(3, 10), torch.randn(3, 10)
    zt[1, 4] = bad
    with pytest.raises(ValueError, match=rf'preds_T.*\[1, 4\].*{bad}'):
        LDRLDLoss()(zs, zt)
    zs[2, 0] = bad
    with pytest.raises(ValueError, match='preds_S'):
        LDRLDLoss()(zs, torch.randn(3, 10))


@pytest.mark.parametrize('kwargs, match', [
    (dict(tau=0), 'tau'),
    (dict(tau=-1.0), 'tau'),
    (dict(topk=1), 'topk'),
    (dict(topk=2.5), 'topk'),
    (dict(topk=True), 'topk'),
    (dict(alpha=-1), 'alpha'),
    (dict(beta=float('nan')), 'beta'),
    (dict(irw_eps=-0.5), 'irw_eps'),
    (dict(reduction='mean'), 'reduction'),
    (dict(loss_weight='x'), 'loss_weight'),
])
def test_bad_constructor_args(kwargs, match):
    with pytest.raises(ValueError, match=match):
        LDRLDLoss(**kwargs)


# ------------------------------------------------- config / training step
@pytest.mark.slow
def test_imagenet_config_trains_one_step(tmp_path):
    from tests.helpers.datasets import make_imagenet
    from tests.helpers.training import build_and_train, imagenet_tiny_options
    root = make_imagenet(
        tmp_path / 'data',
        num_classes=4,
        per_class=1,
        val_per_class=1,
        size=32)
    runner = build_and_train(
        'ldrld_r34_r18_imagenet.py',
        tmp_path / 'work',
        imagenet_tiny_options(root, image_size=32),
        iters=1)
    model = runner.model
    assert type(model).__name__ == 'SingleTeacherDistill'
    loss = model.distiller.distill_losses['loss_ldrld']
    assert isinstance(loss, LDRLDLoss)
    assert (loss.tau, loss.topk, loss.alpha, loss.beta) == (1.0, 7, 10.5, 7.0)
    assert runner.iter == 1
    scalars = runner.message_hub.log_scalars
    value = scalars['train/distill.loss_ldrld'].current()
    assert math.isfinite(value) and value > 0


@pytest.mark.slow
def test_train_tool_runs_ldrld_config(tmp_path):
    from tests.helpers.datasets import make_imagenet
    from tests.helpers.training import imagenet_cli_options, run_tool
    root = make_imagenet(
        tmp_path / 'data',
        num_classes=4,
        per_class=1,
        val_per_class=1,
        size=32)
    proc = run_tool('train.py', 'configs/ldrld_r34_r18_imagenet.py',
                    '--work-dir', tmp_path / 'work', '--cfg-options',
                    *imagenet_cli_options(root, image_size=32, iters=1))
    assert proc.returncode == 0, proc.stdout[-4000:]
    assert 'distill.loss_ldrld' in proc.stdout
    assert (tmp_path / 'work' / 'epoch_1.pth').exists()
