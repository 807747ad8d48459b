"""The shared loss helpers of mmkd_logits.models.losses.utils."""
import math

import pytest
import torch
from mmrazor.models.losses import KLDivergence

import mmkd_logits  # noqa: F401
from mmkd_logits.models.losses import utils as U
from tests.helpers.naive_losses import naive_kl


def _pair(b=4, c=7, seed=0, scale=3.0):
    g = torch.Generator().manual_seed(seed)
    return (torch.randn(b, c, generator=g, dtype=torch.float64) * scale,
            torch.randn(b, c, generator=g, dtype=torch.float64) * scale)


def test_check_reduction_and_positive():
    for r in ('none', 'batchmean', 'sum'):
        assert U.check_reduction(r) == r
    with pytest.raises(ValueError, match="'mean'"):
        U.check_reduction('mean')
    assert U.check_positive('tau', 2) == 2.0
    assert U.check_positive('w', 0, strict=False) == 0.0
    for bad in (0, -1, float('nan'), float('inf'), 'a', None):
        with pytest.raises(ValueError, match='tau'):
            U.check_positive('tau', bad)


def test_to_float32_and_masks():
    h = torch.ones(2, dtype=torch.float16)
    d = torch.ones(2, dtype=torch.float64)
    a, b = U.to_float32(h, d)
    assert a.dtype == torch.float32 and b.dtype == torch.float64
    m = U.label_mask(torch.tensor([2, 0]), 3)
    assert m.dtype == torch.bool and m.tolist() == [[False, False, True],
                                                    [True, False, False]]
    idx = U.topk_indices(torch.tensor([[1., 5., 3.]]), 2)
    assert idx.tolist() == [[1, 2]]


def test_subset_kl_matches_naive_and_mmrazor_kd():
    zs, zt = _pair()
    mask = torch.rand(4, 7, generator=torch.Generator().manual_seed(1)) > 0.4
    mask[0] = False  # empty set
    got = U.subset_kl(zt, zs, 2.0, mask)
    for b in range(4):
        keep = mask[b].nonzero().flatten().tolist()
        ref = naive_kl([zt[b, c].item() for c in keep],
                       [zs[b, c].item() for c in keep], 2.0)
        assert got[b].item() == pytest.approx(ref, rel=1e-9, abs=1e-12)
    full = U.subset_kl(zt, zs, 4.0)
    kd = KLDivergence(tau=4.0, reduction='sum')(zs, zt)
    torch.testing.assert_close(full.sum(), kd)


def test_subset_kl_empty_row_has_zero_gradient_and_big_logits_finite():
    zs, zt = _pair(scale=1e4)
    zs.requires_grad_()
    mask = torch.ones(4, 7, dtype=torch.bool)
    mask[1] = False
    out = U.subset_kl(zt, zs, 1.0, mask)
    out.sum().backward()
    assert torch.isfinite(out).all() and out[1] == 0
    assert torch.isfinite(zs.grad).all() and (zs.grad[1] == 0).all()


def test_log_binary_and_binary_kl():
    z = torch.tensor([[1e4, 0., -1e4], [1., 2., 3.]], dtype=torch.float64)
    sel = U.label_mask(torch.tensor([0, 1]), 3)
    lp, lq = U.log_binary(z, sel)
    assert torch.isfinite(lp).all() and torch.isfinite(lq).all()
    p = torch.softmax(z[1], -1)[1].item()
    assert lp[1].item() == pytest.approx(math.log(p))
    assert lq[1].item() == pytest.approx(math.log(1 - p))
    assert lq[0].item() == pytest.approx(-1e4, rel=1e-9)
    kl = U.binary_kl(lp, lq, lp, lq)
    assert torch.equal(kl, torch.zeros(2, dtype=torch.float64))


def test_pair_binary_kl_is_two_class_kl():
    zs, zt = _pair()
    got = U.pair_binary_kl(zt[:, 0] - zt[:, 1], zs[:, 0] - zs[:, 1], 3.0)
    for b in range(4):
        ref = naive_kl(zt[b, :2].tolist(), zs[b, :2].tolist(), 3.0)
        assert got[b].item() == pytest.approx(ref, rel=1e-9)


def test_reduce_loss():
    v = torch.tensor([1., 2., 3.])
    assert U.reduce_loss(v, 'none') is v
    assert U.reduce_loss(v, 'sum').item() == 6.0
    assert U.reduce_loss(v, 'batchmean').item() == 2.0
    with pytest.raises(ValueError):
        U.reduce_loss(v, 'mean')
