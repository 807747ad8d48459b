"""Tests of ``AEKTLoss`` (``docs/methods/aekt.md``, a reconstruction of AEKT).

The reference ``naive_aekt`` below is written straight from the spec with
Python loops and ``math`` in double precision; it shares no code with the
package.

About gradients and the stop-gradient on the ratio
---------------------------------------------------
``r = stopgrad(min(q_y / p_y, r_max))`` depends on the student logits, but
its gradient is cut. ``torch.autograd.gradcheck`` compares autograd's
gradient with finite differences *of the forward function*; finite
differences see ``r`` move with the input, autograd (by design) does not,
so gradcheck of the default loss must fail — and the test asserts that it
does, which shows the stop-gradient is active. The gradient itself is then
checked in two ways that are valid:

1. ``detach_ratio=False`` makes the loss an ordinary smooth function (away
   from the clamp), so gradcheck verifies the whole forward computation,
   ratio included, in float64;
2. with ``detach_ratio=True``, autograd's gradient must equal the gradient
   of ``α·r_c·TCKD + β·NCKD`` where ``r_c`` is the ratio precomputed as a
   constant — i.e. the loss is differentiated as if ``r`` were a number.
"""
import math
from typing import List, Sequence

import pytest
import torch
import torch.nn.functional as F
from mmrazor.registry import MODELS

import mmkd_logits  # noqa: F401
from mmkd_logits.models.losses import AEKTLoss, aekt_ratio
from tests.helpers.naive_losses import naive_dkd


# ---------------------------------------------------------------- naive
def _softmax(z: Sequence[float], tau: float) -> List[float]:
    scaled = [v / tau for v in z]
    top = max(scaled)
    exps = [math.exp(v - top) for v in scaled]
    total = math.fsum(exps)
    return [e / total for e in exps]


def _xlogx_ratio(a: float, b: float) -> float:
    return 0.0 if a == 0.0 else a * math.log(a / b)


def naive_aekt(zs: torch.Tensor,
               zt: torch.Tensor,
               y: torch.Tensor,
               tau: float = 4.0,
               alpha: float = 1.0,
               beta: float = 8.0,
               ratio_max: float = 10.0,
               adaptive: bool = True,
               ratio_tau: float = None,
               ratio_on: str = 'tckd',
               return_ratio: bool = False) -> torch.Tensor:
    """Per-sample AEKT (float64), loops over samples and classes."""
    rt = tau if ratio_tau is None else ratio_tau
    out, ratios = [], []
    for s, t, label in zip(zs.detach().double().tolist(),
                           zt.detach().double().tolist(), y.tolist()):
        ps, pt = _softmax(s, tau), _softmax(t, tau)
        py, qy = ps[label], pt[label]
        tckd = (_xlogx_ratio(qy, py) + _xlogx_ratio(1 - qy, 1 - py)) * tau**2
        others = [c for c in range(len(s)) if c != label]
        ns = _softmax([s[c] for c in others], tau)
        nt = _softmax([t[c] for c in others], tau)
        nckd = math.fsum(_xlogx_ratio(a, b) for a, b in zip(nt, ns)) * tau**2
        r = 1.0
        if adaptive:
            r = min(_softmax(t, rt)[label] / _softmax(s, rt)[label], ratio_max)
        ratios.append(r)
        rt_ckd = r if ratio_on in ('tckd', 'both') else 1.0
        rn_ckd = r if ratio_on in ('nckd', 'both') else 1.0
        out.append(alpha * rt_ckd * tckd + beta * rn_ckd * nckd)
    if return_ratio:
        return torch.tensor(ratios, dtype=torch.float64)
    return torch.tensor(out, dtype=torch.float64)


def make_inputs(batch: int = 6,
                classes: int = 7,
                seed: int = 0,
                dtype=torch.float64,
                scale: float = 3.0):
    g = torch.Generator().manual_seed(seed)
    zs = (torch.randn(batch, classes, generator=g) * scale).to(dtype)
    zt = (torch.randn(batch, classes, generator=g) * scale).to(dtype)
    y = torch.randint(0, classes, (batch, ), generator=g)
    return zs, zt, y


# ---------------------------------------------------------------- values
@pytest.mark.parametrize('tau,alpha,beta,ratio_max', [(4.0, 1.0, 8.0, 10.0),
                                                      (1.0, 1.0, 0.5, 10.0),
                                                      (2.0, 2.0, 1.0, 1.5)])
def test_matches_naive(tau, alpha, beta, ratio_max):
    zs, zt, y = make_inputs(seed=1)
    loss = AEKTLoss(tau, alpha, beta, ratio_max, reduction='none')
    expected = naive_aekt(zs, zt, y, tau, alpha, beta, ratio_max)
    torch.testing.assert_close(
        loss(zs, zt, y), expected, rtol=1e-10, atol=1e-12)


def test_reductions_and_loss_weight():
    zs, zt, y = make_inputs(seed=2)
    expected = naive_aekt(zs, zt, y)
    kw = dict(tau=4.0, alpha=1.0, beta=8.0, ratio_max=10.0)
    none = AEKTLoss(**kw, reduction='none')(zs, zt, y)
    assert none.shape == (6, )
    mean = AEKTLoss(**kw, loss_weight=0.5)(zs, zt, y)
    total = AEKTLoss(**kw, reduction='sum', loss_weight=2.0)(zs, zt, y)
    torch.testing.assert_close(mean, expected.mean() * 0.5)
    torch.testing.assert_close(total, expected.sum() * 2.0)


@pytest.mark.parametrize('ratio_on', ['tckd', 'nckd', 'both'])
def test_ratio_on_and_ratio_tau(ratio_on):
    zs, zt, y = make_inputs(seed=3)
    loss = AEKTLoss(
        tau=4.0, ratio_tau=1.0, ratio_on=ratio_on, reduction='none')
    expected = naive_aekt(zs, zt, y, ratio_tau=1.0, ratio_on=ratio_on)
    torch.testing.assert_close(loss(zs, zt, y), expected)


def test_not_adaptive_is_dkd():
    zs, zt, y = make_inputs(seed=4)
    loss = AEKTLoss(
        tau=2.0, alpha=1.5, beta=3.0, adaptive=False, reduction='none')
    torch.testing.assert_close(
        loss(zs, zt, y), naive_dkd(zs, zt, y, tau=2.0, alpha=1.5, beta=3.0))


def test_ratio_values_and_clamp():
    zs, zt, y = make_inputs(seed=5, scale=5.0)
    mask = F.one_hot(y, zs.shape[-1]).bool()
    for r_max in (0.5, 2.0, 1e6):
        got = aekt_ratio(zs, zt, mask, 4.0, r_max)
        expected = naive_aekt(zs, zt, y, ratio_max=r_max, return_ratio=True)
        torch.testing.assert_close(got, expected)
        assert bool((got <= r_max * (1 + 1e-12)).all())
    # the clamp is active on some rows for a small r_max
    assert bool((aekt_ratio(zs, zt, mask, 4.0, 0.5) == 0.5).any())


def test_extreme_logits_stay_finite():
    # p_y underflows to 0 in float32: the ratio is the clamp, not inf/NaN
    zs = torch.tensor([[-1e4, 1e4, 0.0], [1e4, -1e4, 0.0]], requires_grad=True)
    zt = torch.tensor([[1e4, -1e4, 0.0], [1e4, -1e4, 0.0]])
    y = torch.tensor([0, 0])
    loss = AEKTLoss(tau=1.0)
    out = loss(zs, zt, y)
    assert torch.isfinite(out)
    out.backward()
    assert bool(torch.isfinite(zs.grad).all())
    mask = F.one_hot(y, 3).bool()
    torch.testing.assert_close(
        aekt_ratio(zs.detach(), zt, mask, 1.0, 10.0), torch.tensor([10.0,
                                                                    1.0]))


# -------------------------------------------------------------- gradients
def _torch_terms(zs, zt, y, tau):
    """TCKD and NCKD per sample with plain torch ops (differentiable)."""
    ps = F.softmax(zs / tau, -1)
    pt = F.softmax(zt / tau, -1)
    py = ps.gather(1, y[:, None])[:, 0]
    qy = pt.gather(1, y[:, None])[:, 0]
    tckd = (qy * (qy / py).log() + (1 - qy) * ((1 - qy) /
                                               (1 - py)).log()) * tau**2
    keep = ~F.one_hot(y, zs.shape[-1]).bool()
    n = zs.shape[-1] - 1
    ns = F.log_softmax(zs[keep].view(-1, n) / tau, -1)
    nt = F.log_softmax(zt[keep].view(-1, n) / tau, -1)
    nckd = (nt.exp() * (nt - ns)).sum(-1) * tau**2
    return tckd, nckd


def test_gradient_treats_ratio_as_constant():
    zs, zt, y = make_inputs(seed=6)
    tau, alpha, beta = 4.0, 1.0, 8.0
    x = zs.clone().requires_grad_(True)
    AEKTLoss(tau, alpha, beta)(x, zt, y).backward()

    r_const = naive_aekt(zs, zt, y, tau, alpha, beta, return_ratio=True)
    assert bool((r_const < 10.0).all())  # unclamped: r depends on zs
    x2 = zs.clone().requires_grad_(True)
    tckd, nckd = _torch_terms(x2, zt, y, tau)
    (alpha * r_const * tckd + beta * nckd).mean().backward()
    torch.testing.assert_close(x.grad, x2.grad)

    # without the stop-gradient the gradient is different
    x3 = zs.clone().requires_grad_(True)
    AEKTLoss(tau, alpha, beta, detach_ratio=False)(x3, zt, y).backward()
    assert not torch.allclose(x3.grad, x.grad)


def test_gradcheck_without_stopgrad():
    zs, zt, y = make_inputs(batch=3, classes=5, seed=7, scale=1.0)
    loss = AEKTLoss(
        tau=2.0,
        alpha=1.0,
        beta=2.0,
        ratio_max=1e3,
        detach_ratio=False,
        reduction='none')
    x = zs.clone().requires_grad_(True)
    assert torch.autograd.gradcheck(lambda s: loss(s, zt, y), (x, ))


@pytest.mark.parametrize('ratio_on', ['tckd', 'both'])
def test_gradcheck_fails_with_stopgrad(ratio_on):
    # finite differences see r move; autograd (by design) does not
    zs, zt, y = make_inputs(batch=3, classes=5, seed=7, scale=1.0)
    loss = AEKTLoss(tau=2.0, ratio_max=1e3, ratio_on=ratio_on)
    x = zs.clone().requires_grad_(True)
    assert not torch.autograd.gradcheck(
        lambda s: loss(s, zt, y), (x, ), raise_exception=False)


def test_gradcheck_not_adaptive():
    zs, zt, y = make_inputs(batch=3, classes=5, seed=8, scale=1.0)
    loss = AEKTLoss(tau=2.0, adaptive=False, reduction='sum')
    x = zs.clone().requires_grad_(True)
    assert torch.autograd.gradcheck(lambda s: loss(s, zt, y), (x, ))


def test_teacher_is_detached():
    zs, zt, y = make_inputs(seed=9, dtype=torch.float32)
    s = zs.clone().requires_grad_(True)
    t = zt.clone().requires_grad_(True)
    AEKTLoss()(s, t, y).backward()
    assert t.grad is None
    assert s.grad is not None


# -------------------------------------------------------------- precision
@pytest.mark.parametrize('dtype', [torch.float16, torch.bfloat16])
def test_half_inputs_use_float32(dtype):
    zs, zt, y = make_inputs(seed=10, dtype=dtype)
    out = AEKTLoss()(zs, zt, y)
    assert out.dtype == torch.float32
    ref = naive_aekt(zs.float(), zt.float(), y).mean()
    torch.testing.assert_close(out.double(), ref, rtol=1e-5, atol=1e-6)


def test_under_autocast():
    zs, zt, y = make_inputs(seed=11, dtype=torch.float32)
    with torch.autocast('cpu', dtype=torch.bfloat16):
        out = AEKTLoss()(zs, zt, y)
    assert out.dtype == torch.float32
    torch.testing.assert_close(
        out.double(), naive_aekt(zs, zt, y).mean(), rtol=1e-5, atol=1e-6)


# ---------------------------------------------------------- construction
def test_registry_and_signature():
    loss = MODELS.build(dict(type='AEKTLoss', tau=1, beta=0.5))
    assert isinstance(loss, AEKTLoss)
    assert (loss.tau, loss.alpha, loss.beta, loss.ratio_max) == (1, 1, 0.5, 10)
    positional = AEKTLoss(4.0, 1.0, 8.0, 10.0, 'sum', 2.0)
    assert positional.reduction == 'sum' and positional.loss_weight == 2.0
    assert 'ratio_max=10.0' in repr(loss)


@pytest.mark.parametrize('kwargs,match', [
    (dict(ratio_max=0), 'ratio_max'),
    (dict(ratio_max=-1.0), 'ratio_max'),
    (dict(ratio_max=float('nan')), 'ratio_max'),
    (dict(tau=0), 'tau'),
    (dict(ratio_tau=-1), 'ratio_tau'),
    (dict(alpha=-1), 'alpha'),
    (dict(reduction='mean'), 'reduction'),
    (dict(ratio_on='all'), 'ratio_on'),
])
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        AEKTLoss(**kwargs)


def test_bad_inputs():
    zs, zt, y = make_inputs(seed=12, dtype=torch.float32)
    loss = AEKTLoss()
    with pytest.raises(ValueError, match=r'out of range \[0, 7\)'):
        loss(zs, zt, torch.tensor([0, 1, 2, 3, 4, 7]))
    with pytest.raises(ValueError, match='out of range'):
        loss(zs, zt, torch.tensor([0, 1, 2, 3, 4, -1]))
    with pytest.raises(ValueError, match='integer class'):
        loss(zs, zt, y.float())
    bad = zs.clone()
    bad[2, 3] = float('nan')
    with pytest.raises(ValueError, match='non-finite'):
        loss(bad, zt, y)


def test_class_count_mismatch_names_the_head():
    # a SerialClsHead whose num_classes differs from the teacher's
    zs = torch.randn(4, 10)
    zt = torch.randn(4, 12)
    with pytest.raises(ValueError) as err:
        AEKTLoss()(zs, zt, torch.zeros(4, dtype=torch.long))
    msg = str(err.value)
    assert '10 classes' in msg and '12' in msg
    assert 'SerialClsHead' in msg and 'num_classes' in msg
    with pytest.raises(ValueError, match='differ in shape'):
        AEKTLoss()(torch.randn(4, 10), torch.randn(3, 10),
                   torch.zeros(4, dtype=torch.long))


# ------------------------------------------------------------ end to end
@pytest.mark.slow
def test_config_trains_and_folds(tmp_path):
    """``configs/aekt_r34_r18_imagenet.py`` trains one iteration on generated
    ImageNet data; its checkpoint folds into a plain ``LinearClsHead``
    student with the same logits."""
    import importlib.util
    import os.path as osp

    from mmengine.config import Config
    from mmpretrain.registry import MODELS as PRETRAIN_MODELS

    from tests.helpers.datasets import make_imagenet
    from tests.helpers.training import (REPO_ROOT, build_and_train,
                                        imagenet_tiny_options)

    data = make_imagenet(tmp_path / 'data')
    options = imagenet_tiny_options(data, image_size=32, iters=1)
    options['train_cfg.val_interval'] = 100  # no validation: speed
    options['default_hooks.checkpoint.save_best'] = None
    runner = build_and_train(
        'aekt_r34_r18_imagenet.py', tmp_path / 'work', options, iters=1)
    model = runner.model
    head = model.architecture.head
    assert type(head).__name__ == 'SerialClsHead'
    loss_cfg = model.distiller.distill_losses['loss_aekt']
    assert isinstance(loss_cfg, AEKTLoss) and loss_cfg.tau == 1
    # one SGD step moved the serialization layer away from the identity
    assert not torch.equal(head.ser.weight.detach().cpu(),
                           torch.eye(head.num_classes))
    log = runner.message_hub.get_scalar('train/distill.loss_aekt')
    assert math.isfinite(log.current()) and log.current() > 0

    tool = REPO_ROOT / 'tools' / 'fold_serial_head.py'
    spec = importlib.util.spec_from_file_location('fold_serial_head', tool)
    fold = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fold)
    ckpt = tmp_path / 'work' / 'epoch_1.pth'
    dst, out_cfg = tmp_path / 'folded.pth', tmp_path / 'folded.py'
    assert fold.main([
        str(ckpt),
        str(dst), '--config',
        str(REPO_ROOT / 'configs' / 'aekt_r34_r18_imagenet.py'),
        '--out-config',
        str(out_cfg)
    ]) == 0
    cfg = Config.fromfile(str(out_cfg))
    assert cfg.model.head.type == 'LinearClsHead'
    assert osp.samefile(cfg.load_from, dst)
    plain = PRETRAIN_MODELS.build(cfg.model)
    state = torch.load(dst, map_location='cpu', weights_only=True)
    plain.load_state_dict(state['state_dict'], strict=True)
    student = model.architecture.eval()
    x = torch.randn(2, 3, 32, 32)
    with torch.no_grad():
        torch.testing.assert_close(
            plain.eval()(x, mode='tensor'),
            student(x, mode='tensor'),
            rtol=1e-4,
            atol=1e-5)
