"""``standardize_logits``: the z-score of logit standardization.

Sun, Ren, Li, Wang and Cao, "Logit Standardization in Knowledge
Distillation", CVPR 2024. The reference below is written from the authors'
definition (their ``normalize`` in sunshangquan/logit-standardization-KD,
``mdistiller/distillers/KD.py``): per row, ``(z − mean) / (std + 1e-7)``
with the unbiased (``C − 1``) standard deviation — in plain Python with
``math.fsum``, nothing from the package.
"""
import math
from typing import List, Sequence

import pytest
import torch

from mmkd_logits.models.losses.utils import STANDARDIZE_EPS, standardize_logits

pytestmark = pytest.mark.usefixtures('one_thread')


def naive_zscore(row: Sequence[float], eps: float = 1e-7) -> List[float]:
    """The authors' z-score of one row: unbiased std, ``eps`` on the std."""
    n = len(row)
    mean = math.fsum(row) / n
    std = math.sqrt(math.fsum((v - mean)**2 for v in row) / (n - 1))
    return [(v - mean) / (std + eps) for v in row]


def naive_standardize(x: torch.Tensor) -> torch.Tensor:
    """:func:`naive_zscore` of every row (last dimension), float64."""
    rows = x.detach().double().reshape(-1, x.shape[-1]).tolist()
    out = [naive_zscore(r) for r in rows]
    return torch.tensor(out, dtype=torch.float64).reshape(x.shape)


def test_the_authors_epsilon():
    assert STANDARDIZE_EPS == 1e-7


def test_unbiased_std_and_epsilon_on_the_std_by_hand():
    # mean 2; unbiased std sqrt(((-1)² + 0 + 1²) / 2) = 1 (the biased one
    # would be sqrt(2/3)); eps is added to the std, not to the variance
    out = standardize_logits(
        torch.tensor([[1.0, 2.0, 3.0]], dtype=torch.float64))
    d = 1.0 / (1.0 + 1e-7)
    assert out.tolist() == [[-d, 0.0, d]]


@pytest.mark.parametrize('scale', [1e-3, 1.0, 10.0, 1e4])
def test_matches_the_naive_reference_in_float64(scale):
    gen = torch.Generator().manual_seed(0)
    z = torch.randn(6, 10, generator=gen, dtype=torch.float64) * scale + 3
    out = standardize_logits(z)
    assert out.dtype == torch.float64
    torch.testing.assert_close(
        out, naive_standardize(z), rtol=1e-12, atol=1e-12)


def test_rows_have_mean_zero_and_unbiased_std_one():
    z = torch.randn(5, 100, dtype=torch.float64) * 7 - 2
    out = standardize_logits(z)
    torch.testing.assert_close(
        out.mean(-1), torch.zeros(5, dtype=z.dtype), atol=1e-12, rtol=0)
    # std(out) = std / (std + eps)
    std = z.std(-1)
    torch.testing.assert_close(out.std(-1), std / (std + 1e-7))


def test_invariant_to_a_positive_scale_and_a_shift_per_row():
    z = torch.randn(4, 9, dtype=torch.float64)
    a = torch.tensor([[0.5], [3.0], [20.0], [1.0]], dtype=torch.float64)
    b = torch.tensor([[-4.0], [0.0], [7.5], [100.0]], dtype=torch.float64)
    torch.testing.assert_close(
        standardize_logits(a * z + b),
        standardize_logits(z),
        rtol=1e-6,
        atol=1e-6)


def test_region_logits_are_standardized_per_region_over_the_classes():
    # [B, K, N]: classes in dim 1, one z-score per (sample, region)
    z = torch.randn(3, 7, 5, dtype=torch.float64) * 4
    out = standardize_logits(z, dim=1)
    expected = naive_standardize(z.transpose(1, 2)).transpose(1, 2)
    torch.testing.assert_close(out, expected, rtol=1e-12, atol=1e-12)
    # not the same as standardizing over the regions
    assert not torch.allclose(out, standardize_logits(z, dim=-1))


def test_gradcheck():
    z = torch.randn(3, 6, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(standardize_logits, (z, ))
    regions = torch.randn(2, 5, 3, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda x: standardize_logits(x, dim=1),
                                    (regions, ))


@pytest.mark.parametrize('dtype', [torch.float32, torch.float64])
@pytest.mark.parametrize('value', [0.0, -3.7, 0.1, 1e4])
def test_a_constant_row_stays_constant_with_a_finite_gradient(dtype, value):
    # std 0: (z - mean) / (0 + eps), the authors' eps keeps it finite; it
    # is 0 where the mean is exact, else the rounding residue of the mean
    # / eps, the same for every class: the softmax is uniform either way
    z = torch.randn(3, 8, dtype=dtype)
    z[1] = value
    z.requires_grad_(True)
    out = standardize_logits(z)
    assert torch.isfinite(out).all()
    assert out[1].eq(out[1, 0]).all()
    torch.testing.assert_close(out[1].softmax(-1),
                               torch.full((8, ), 1 / 8, dtype=dtype))
    if value == 0.0:
        assert out[1].eq(0).all()
    (out * torch.randn_like(out)).sum().backward()
    assert torch.isfinite(z.grad).all()


@pytest.mark.parametrize(
    'row', [
        [1e4, -1e4, 0.0, 5.0],
        [1e30, -1e30, 0.0, 1.0],
        [1e6, 0.0, 0.0, 0.0],
        [-88.0, 88.0, 1e-30, -1e-30],
        [1.0, 1.0 + 1e-6, 1.0, 1.0],
    ],
    ids=['1e4', '1e30', 'outlier', 'mixed', 'near-flat'])
def test_extreme_rows_stay_finite_in_float32(row):
    z = torch.tensor([row], requires_grad=True)
    out = standardize_logits(z)
    assert torch.isfinite(out).all(), out
    # a z-score of C values lies within ±(C - 1) / sqrt(C)
    assert out.abs().max() <= (4 - 1) / math.sqrt(4) + 1e-5
    out.pow(2).sum().backward()
    assert torch.isfinite(z.grad).all()


def test_half_precision_is_computed_in_float32():
    z = torch.randn(4, 10) * 30
    out = standardize_logits(z.half())
    assert out.dtype == torch.float32
    torch.testing.assert_close(out, standardize_logits(z.half().float()))


def test_fewer_than_two_classes_raise():
    with pytest.raises(ValueError, match='at least 2 classes'):
        standardize_logits(torch.randn(3, 1))
    with pytest.raises(ValueError, match='along dim 1'):
        standardize_logits(torch.randn(3, 1, 4), dim=1)
