"""Tests of MultiScaleLogitsRecorder (SDD region logits, arXiv:2403.13512)."""
import pytest
import torch
import torch.nn.functional as F
from mmrazor.models.task_modules.recorder import RecorderManager
from mmrazor.registry import TASK_UTILS
from torch import nn

import mmkd_logits  # noqa: F401,I001  (compat layer before mmrazor)
from mmkd_logits.models.recorders import MultiScaleLogitsRecorder
from mmkd_logits.models.recorders.multi_scale_logits_recorder import \
    region_pool_matrix


class _Backbone(nn.Module):
    """Returns a tuple whose last element is the map, like mmpretrain."""

    def __init__(self, channels: int, tuple_out: bool = True) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, channels, 3, padding=1)
        self.tuple_out = tuple_out

    def forward(self, x):
        out = torch.relu(self.conv(x))
        return (x, out) if self.tuple_out else out


class _Head(nn.Module):

    def __init__(self, channels: int, classes: int) -> None:
        super().__init__()
        self.fc = nn.Linear(channels, classes)

    def forward(self, feat):
        return self.fc(feat.mean(dim=(2, 3)))


class _Toy(nn.Module):
    """GAP + linear classifier on the last map: ``logits = fc(mean(F))``."""

    def __init__(self, channels=6, classes=5, tuple_out=True) -> None:
        super().__init__()
        self.backbone = _Backbone(channels, tuple_out)
        self.head = _Head(channels, classes)

    def forward(self, x):
        feat = self.backbone(x)
        if isinstance(feat, tuple):
            feat = feat[-1]
        return self.head(feat)


def _naive(feature, fc, scales, base_grid):
    """Loop over every region: adaptive_avg_pool2d, then the classifier."""
    grid = feature if base_grid is None else F.adaptive_avg_pool2d(
        feature, base_grid)
    columns = []
    for s in scales:
        pooled = F.adaptive_avg_pool2d(grid, s)
        for i in range(s):
            for j in range(s):
                columns.append(fc(pooled[:, :, i, j]))
    return torch.stack(columns, dim=2)


def _record(model, x, **kwargs):
    recorder = MultiScaleLogitsRecorder('backbone', **kwargs)
    recorder.initialize(model)
    with recorder:
        logits = model(x)
    return recorder.get_record_data(), logits, recorder


@pytest.mark.parametrize('size', [7, 8, 4, 2, 1])
@pytest.mark.parametrize('base_grid', [4, None])
@pytest.mark.parametrize('scales', [(1, 2, 4), (1, 2), (1, 3, 2)])
def test_matches_naive_loop(size, base_grid, scales):
    torch.manual_seed(0)
    model = _Toy().double()
    x = torch.randn(3, 3, size, size, dtype=torch.float64)
    record, logits, recorder = _record(
        model, x, scales=scales, base_grid=base_grid)
    feature = model.backbone(x)[-1]
    expected = _naive(feature, model.head.fc, scales, base_grid)
    n = sum(s * s for s in scales)
    assert record.shape == (3, 5, n) == (3, 5, recorder.num_regions)
    torch.testing.assert_close(record, expected)
    if base_grid is None or size in (8, 4):
        # region 0 is the global region: the model's own logits
        torch.testing.assert_close(record[:, :, 0], logits)


def test_7x7_region0_differs_from_global_mean_with_base_grid():
    torch.manual_seed(0)
    model = _Toy().double()
    x = torch.randn(2, 3, 7, 7, dtype=torch.float64)
    record, logits, _ = _record(model, x)
    assert not torch.allclose(record[:, :, 0], logits)


def test_non_square_map_and_float32():
    torch.manual_seed(0)
    model = _Toy()
    x = torch.randn(2, 3, 5, 3)
    for base_grid in (4, None):
        record, _, _ = _record(model, x, base_grid=base_grid)
        expected = _naive(
            model.backbone(x)[-1], model.head.fc, (1, 2, 4), base_grid)
        torch.testing.assert_close(record, expected, rtol=1e-5, atol=1e-5)


def test_pool_matrix_is_cached_and_columns_sum_to_one():
    mat = region_pool_matrix(7, 7, (1, 2, 4), 4, torch.float64)
    assert mat.shape == (49, 21)
    torch.testing.assert_close(mat.sum(0), torch.ones(21, dtype=torch.float64))
    model = _Toy()
    _, _, recorder = _record(model, torch.randn(1, 3, 6, 6))
    with recorder:
        model(torch.randn(2, 3, 6, 6))
    assert len(recorder._pool_cache) == 1


def test_plain_tensor_output_and_bias_none():
    torch.manual_seed(0)
    model = _Toy(tuple_out=False).double()
    model.head.fc = nn.Linear(6, 5, bias=False).double()
    x = torch.randn(2, 3, 6, 6, dtype=torch.float64)
    record, _, _ = _record(model, x, scales=(1, 2))
    expected = _naive(model.backbone(x), model.head.fc, (1, 2), 4)
    torch.testing.assert_close(record, expected)


def test_gradients_flow_to_fc_and_backbone():
    torch.manual_seed(0)
    model = _Toy()
    record, _, _ = _record(model, torch.randn(2, 3, 7, 7))
    record.square().sum().backward()
    assert model.head.fc.weight.grad.abs().sum() > 0
    assert model.head.fc.bias.grad.abs().sum() > 0
    assert model.backbone.conv.weight.grad.abs().sum() > 0


def test_gradcheck():
    torch.manual_seed(0)
    model = _Toy(channels=3, classes=3).double()
    recorder = MultiScaleLogitsRecorder('backbone', scales=(1, 2, 3))
    recorder.initialize(model)
    feature = torch.randn(2, 3, 5, 5, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(recorder.region_logits, (feature, ))
    # the classifier's parameters are read at every call: swap in plain
    # leaf tensors to gradcheck with respect to them
    fc = model.head.fc
    weight = fc.weight.detach().clone().requires_grad_()
    bias = fc.bias.detach().clone().requires_grad_()
    del fc.weight, fc.bias
    fc.weight, fc.bias = weight, bias
    assert torch.autograd.gradcheck(
        lambda wt, bs: recorder.region_logits(feature.detach()),
        (weight, bias))


def test_no_recording_outside_context():
    model = _Toy()
    _, _, recorder = _record(model, torch.randn(1, 3, 4, 4))
    recorder.reset_data_buffer()
    model(torch.randn(1, 3, 4, 4))
    assert recorder.data_buffer == []


def test_registry_and_recorder_manager():
    assert TASK_UTILS.get('MultiScaleLogits') is MultiScaleLogitsRecorder
    assert TASK_UTILS.get('MultiScaleLogitsRecorder') is \
        MultiScaleLogitsRecorder
    built = TASK_UTILS.build(
        dict(type='MultiScaleLogits', source='backbone', scales=[1, 2]))
    assert built.scales == (1, 2) and built.num_regions == 5
    manager = RecorderManager(
        dict(
            regions=dict(
                type='MultiScaleLogits', source='backbone', base_grid=None)))
    model = _Toy()
    manager.initialize(model)
    with manager:
        logits = model(torch.randn(2, 3, 7, 7))
    record = manager.get_recorder('regions').get_record_data()
    assert record.shape == (2, 5, 21)
    torch.testing.assert_close(record[:, :, 0], logits, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize('kwargs', [
    dict(scales=(1, 0)),
    dict(scales=(1, 2.0)),
    dict(scales=(1, -2)),
    dict(scales=(True, 2)),
    dict(scales=()),
    dict(scales='124'),
    dict(base_grid=0),
    dict(base_grid=2.5),
    dict(fc=''),
])
def test_bad_arguments(kwargs):
    with pytest.raises(ValueError):
        MultiScaleLogitsRecorder('backbone', **kwargs)


def test_missing_source_or_fc():
    model = _Toy()
    with pytest.raises(ValueError, match="source 'backbone.nope'"):
        MultiScaleLogitsRecorder('backbone.nope').initialize(model)
    with pytest.raises(ValueError, match="fc 'head.linear'"):
        MultiScaleLogitsRecorder(
            'backbone', fc='head.linear').initialize(model)
    with pytest.raises(ValueError, match='2-D weight'):
        MultiScaleLogitsRecorder('backbone', fc='backbone').initialize(model)


def test_channel_mismatch_and_non_map_output():
    model = _Toy(channels=6)
    model.head.fc = nn.Linear(4, 5)
    recorder = MultiScaleLogitsRecorder('backbone')
    recorder.initialize(model)
    with recorder, pytest.raises(ValueError, match='6 channels'):
        model.backbone(torch.randn(1, 3, 4, 4))
    recorder = MultiScaleLogitsRecorder('head', fc='head.fc')
    recorder.initialize(_Toy())
    with recorder, pytest.raises(ValueError, match=r'\[B, C, H, W\]'):
        recorder.region_logits(torch.randn(2, 6))
