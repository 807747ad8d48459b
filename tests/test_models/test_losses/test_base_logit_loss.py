"""BaseLogitLoss: the terms and statistics that ``compute`` returns, the
input checks written once, and the hot path without host syncs.

Every loss returns the detached batch means of its weighted terms (×
``loss_weight``) next to the loss; for ``'batchmean'`` they sum to it. They
never carry a graph.
"""
import pytest
import torch

import mmkd_logits  # noqa: F401
from mmkd_logits.models.losses import (AEKTLoss, DKDLoss, KDLoss, LDRLDLoss,
                                       RLDLoss, SDDLoss,
                                       sdd_complementary_mask,
                                       sdd_region_weights)


def _logits(*shape, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(*shape, generator=g, dtype=torch.float64) * 3


def _check(out, names):
    assert set(out.terms) == set(names)
    for value in out.terms.values():
        assert value.dim() == 0 and not value.requires_grad
        assert value.dtype == out.loss.dtype
    torch.testing.assert_close(sum(out.terms.values()), out.loss.detach())


@pytest.mark.parametrize('weight', [1.0, 0.25])
def test_ldrld_terms(weight):
    loss = LDRLDLoss(tau=2.0, topk=4, loss_weight=weight)
    zs = _logits(6, 10).requires_grad_()
    out = loss.compute(zs, _logits(6, 10, seed=1))
    _check(out, ('local', 'rntk'))
    assert out.stats == {}
    # the terms are alpha·L_local and beta·L_rntk
    only_local = LDRLDLoss(tau=2.0, topk=4, beta=0.0, loss_weight=weight)
    torch.testing.assert_close(
        only_local(zs, _logits(6, 10, seed=1)).detach(), out.terms['local'])
    out.loss.backward()  # the terms did not break the graph
    torch.testing.assert_close(out.loss, loss(zs, _logits(6, 10, seed=1)))


def test_terms_of_none_reduction_are_means():
    out = LDRLDLoss(
        topk=3,
        reduction='none').compute(_logits(5, 8), _logits(5, 8, seed=2))
    assert out.loss.shape == (5, )
    torch.testing.assert_close(sum(out.terms.values()), out.loss.mean())


@pytest.mark.parametrize('adaptive', [True, False])
def test_aekt_terms_and_ratio(adaptive):
    loss = AEKTLoss(loss_weight=0.5, adaptive=adaptive)
    labels = torch.tensor([0, 3, 2, 1])
    out = loss.compute(
        _logits(4, 6).requires_grad_(), _logits(4, 6, seed=3), labels)
    _check(out, ('tckd', 'nckd'))
    if adaptive:
        assert set(out.stats) == {'ratio'}
        assert 0 < float(out.stats['ratio']) <= 10.0
    else:
        assert out.stats == {}


@pytest.mark.parametrize('base', ['kd', 'dkd'])
def test_sdd_terms_and_fraction(base):
    loss = SDDLoss(base=base, loss_weight=0.9)
    zt = _logits(8, 5, 5, seed=4)
    labels = zt[:, :, 0].argmax(1)  # teacher's global region right ...
    labels[:3] = (labels[:3] + 1) % 5  # ... except for three samples
    out = loss.compute(_logits(8, 5, 5, seed=5), zt, labels)
    _check(out, ('consistent', 'complementary'))
    mask = sdd_complementary_mask(zt, labels)
    assert not mask[:, 0].any() and mask.any()
    torch.testing.assert_close(out.stats['complementary_frac'],
                               mask.double().mean())
    # the helper and the weights agree
    weights = sdd_region_weights(zt, labels, 2.0)
    assert torch.equal(weights == 2.0, mask)


@pytest.mark.parametrize('loss, names', [(KDLoss(), ('kd', )),
                                         (DKDLoss(), ('tckd', 'nckd')),
                                         (RLDLoss(), ('scd', 'mcd'))])
def test_baseline_and_rld_terms(loss, names):
    labels = torch.tensor([0, 3, 2, 1, 5])
    zs, zt = _logits(5, 7), _logits(5, 7, seed=6)
    out = loss.compute(zs, zt, labels if loss.uses_labels else None)
    _check(out, names)


def test_labels_are_refused_by_a_loss_without_them_and_required_by_others():
    zs, zt = _logits(2, 5), _logits(2, 5, seed=1)
    with pytest.raises(TypeError, match='does not use gt_labels'):
        KDLoss()(zs, zt, torch.tensor([0, 1]))
    with pytest.raises(TypeError, match='needs gt_labels'):
        DKDLoss()(zs, zt)


def test_input_checks_name_the_tensor():
    x = torch.randn(2, 5)
    loss = KDLoss()
    with pytest.raises(ValueError, match=r'KDLoss: .*\(2, 5\).*\(2, 6\)'):
        loss(x, torch.randn(2, 6))
    with pytest.raises(ValueError, match='floating'):
        loss(x.long(), x.long())
    with pytest.raises(ValueError, match='Tensor'):
        loss(x.tolist(), x)
    with pytest.raises(ValueError, match='at least 2 classes'):
        loss(x[:, :1], x[:, :1])
    y = x.clone()
    y[1, 2] = float('nan')
    with pytest.raises(ValueError, match=r'preds_T .*\[1, 2\]: nan'):
        loss(x, y)


def test_label_checks():
    zs, zt = torch.randn(2, 5), torch.randn(2, 5)
    loss = DKDLoss()
    assert torch.isfinite(
        loss(zs, zt, torch.tensor([0, 4], dtype=torch.int32)))
    with pytest.raises(ValueError, match=r'out of range \[0, 5\): \[5\]'):
        loss(zs, zt, torch.tensor([0, 5]))
    with pytest.raises(ValueError, match='integer'):
        loss(zs, zt, torch.tensor([0., 1.]))
    with pytest.raises(ValueError, match='integer'):
        loss(zs, zt, torch.tensor([True, False]))
    with pytest.raises(ValueError, match='shape'):
        loss(zs, zt, torch.tensor([[0, 1]]))


class _NoSync:
    """Fail on every Python-level host read of a tensor."""

    def __enter__(self):
        self._saved = {}
        for name in ('__bool__', 'item', 'tolist', '__int__', '__float__',
                     '__index__'):
            self._saved[name] = getattr(torch.Tensor, name)

            def fail(*args, _name=name, **kwargs):
                raise AssertionError(f'host sync: Tensor.{_name}')

            setattr(torch.Tensor, name, fail)
        return self

    def __exit__(self, *exc):
        for name, fn in self._saved.items():
            setattr(torch.Tensor, name, fn)


@pytest.mark.parametrize('loss, regions',
                         [(KDLoss(), False), (DKDLoss(), False),
                          (RLDLoss(), False), (LDRLDLoss(topk=4), False),
                          (AEKTLoss(), False), (SDDLoss(base='dkd'), True),
                          (SDDLoss(base=dict(type=LDRLDLoss, topk=3)), True)])
def test_no_host_sync_without_value_checks(loss, regions):
    shape = (4, 9, 5) if regions else (4, 9)
    zs = _logits(*shape).float().requires_grad_()
    zt = _logits(*shape, seed=1).float()
    labels = torch.tensor([0, 8, 3, 3]) if loss.uses_labels else None
    with _NoSync():
        out = loss.compute(zs, zt, labels, check_values=False)
        out.loss.backward()
    # ... while the checks themselves read the values, and the mock works
    with pytest.raises(AssertionError, match='host sync'), _NoSync():
        loss.compute(zs, zt, labels, check_values=True)
