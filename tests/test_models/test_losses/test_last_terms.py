"""``last_terms`` / ``last_stats`` of the losses (diagnostics interface).

Every loss stores the detached batch means of its weighted terms (× its
``loss_weight``) after each forward; for ``'batchmean'`` they sum to the
loss. They must stay on the device and never carry a graph.
"""
import pytest
import torch

import mmkd_logits  # noqa: F401
from mmkd_logits.models.losses import (AEKTLoss, LDRLDLoss, SDDLoss,
                                       sdd_complementary_mask,
                                       sdd_region_weights)
from mmkd_logits.models.losses.utils import term_means


def _logits(*shape, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(*shape, generator=g, dtype=torch.float64) * 3


def _check(loss, terms, names, loss_value):
    assert set(terms) == set(names)
    for value in terms.values():
        assert value.dim() == 0 and not value.requires_grad
        assert value.dtype == loss_value.dtype
    torch.testing.assert_close(sum(terms.values()), loss_value.detach())


@pytest.mark.parametrize('weight', [1.0, 0.25])
def test_ldrld_terms(weight):
    loss = LDRLDLoss(tau=2.0, topk=4, loss_weight=weight)
    zs = _logits(6, 10).requires_grad_()
    out = loss(zs, _logits(6, 10, seed=1))
    _check(loss, loss.last_terms, ('local', 'rntk'), out)
    # the terms are alpha·L_local and beta·L_rntk
    only_local = LDRLDLoss(tau=2.0, topk=4, beta=0.0, loss_weight=weight)
    torch.testing.assert_close(
        only_local(zs, _logits(6, 10, seed=1)).detach(),
        loss.last_terms['local'])
    out.backward()  # storing the terms did not break the graph


def test_ldrld_terms_none_reduction_are_means():
    loss = LDRLDLoss(topk=3, reduction='none')
    out = loss(_logits(5, 8), _logits(5, 8, seed=2))
    torch.testing.assert_close(sum(loss.last_terms.values()), out.mean())


@pytest.mark.parametrize('adaptive', [True, False])
def test_aekt_terms_and_ratio(adaptive):
    loss = AEKTLoss(loss_weight=0.5, adaptive=adaptive)
    labels = torch.tensor([0, 3, 2, 1])
    out = loss(_logits(4, 6).requires_grad_(), _logits(4, 6, seed=3),
               labels)
    _check(loss, loss.last_terms, ('tckd', 'nckd'), out)
    if adaptive:
        assert 0 < float(loss.last_stats['ratio']) <= 10.0
    else:
        assert loss.last_stats == {}


@pytest.mark.parametrize('base', ['kd', 'dkd'])
def test_sdd_terms_and_fraction(base):
    loss = SDDLoss(base=base, loss_weight=0.9)
    zt = _logits(8, 5, 5, seed=4)
    labels = zt[:, :, 0].argmax(1)  # teacher's global region right ...
    labels[:3] = (labels[:3] + 1) % 5  # ... except for three samples
    out = loss(_logits(8, 5, 5, seed=5), zt, labels)
    _check(loss, loss.last_terms, ('consistent', 'complementary'), out)
    mask = sdd_complementary_mask(zt, labels)
    assert not mask[:, 0].any()
    torch.testing.assert_close(loss.last_stats['complementary_frac'],
                               mask.double().mean())
    # the helper and the weights agree
    weights = sdd_region_weights(zt, labels, 2.0)
    assert torch.equal(weights == 2.0, mask)


def test_term_means_helper():
    terms = term_means({'a': torch.tensor([1.0, 3.0], requires_grad=True),
                        'b': torch.tensor([2.0], dtype=torch.float16)}, 0.5)
    assert float(terms['a']) == 1.0 and not terms['a'].requires_grad
    assert terms['b'].dtype == torch.float32 and float(terms['b']) == 1.0
