"""The Tiny-ImageNet MobileNetV2 (mdistiller's ``mv2_tinyimagenet``): the
original state-dict layout key for key, parameter count, map sizes, and the
logits against an independent functional forward written on the original
keys."""
from typing import Dict, List, Tuple

import pytest
import torch
import torch.nn.functional as F

from tests.helpers.training import CONFIGS

#: (expansion, channels, blocks or None for a bare block, stride) -- the
#: original's stage1..stage7
STAGES = ((1, 16, None, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2),
          (6, 96, 3, 1), (6, 160, 3, 1), (6, 320, None, 1))
#: parameters of the original with a 200-class classifier
PARAMS_200 = 2_497_480


def _model(num_classes: int = 200):
    from mmpretrain.registry import MODELS

    import mmkd_logits  # noqa: F401
    return MODELS.build(
        dict(
            type='ImageClassifier',
            backbone=dict(type='TinyImageNet_MobileNetV2'),
            neck=dict(type='GlobalAveragePooling'),
            head=dict(
                type='LinearClsHead',
                num_classes=num_classes,
                in_channels=1280)))


def _blocks() -> List[Tuple[str, int, int, int, int]]:
    """(key prefix, in, out, stride, expansion) of every bottleneck."""
    out, c_in = [], 32
    for index, (t, c, n, s) in enumerate(STAGES, start=1):
        if n is None:
            out.append((f'stage{index}.', c_in, c, s, t))
        else:
            for i in range(n):
                out.append((f'stage{index}.{i}.', c_in if i == 0 else c, c,
                            s if i == 0 else 1, t))
        c_in = c
    return out


def _conv_bn_keys(prefix: str) -> List[str]:
    bn = [
        f'{prefix}.{{b}}.{k}' for k in ('weight', 'bias', 'running_mean',
                                        'running_var', 'num_batches_tracked')
    ]
    return [f'{prefix}.{{c}}.weight', f'{prefix}.{{c}}.bias'] + bn


def _expected_layout(num_classes: int) -> Dict[str, Tuple[int, ...]]:
    """The original's state dict (conv2 as head.fc) with every shape."""
    layout: Dict[str, Tuple[int, ...]] = {}

    def conv_bn(prefix, c, b, c_out, c_in_per_group, k):
        keys = [x.format(c=c, b=b) for x in _conv_bn_keys(prefix)]
        shapes = [(c_out, c_in_per_group, k, k), (c_out, ), (c_out, ),
                  (c_out, ), (c_out, ), (c_out, ), ()]
        layout.update(zip(keys, shapes))

    conv_bn('backbone.pre', 0, 1, 32, 3, 1)
    for prefix, c_in, c_out, _, t in _blocks():
        hidden = c_in * t
        p = f'backbone.{prefix}residual'
        conv_bn(p, 0, 1, hidden, c_in, 1)
        conv_bn(p, 3, 4, hidden, 1, 3)
        conv_bn(p, 6, 7, c_out, hidden, 1)
    conv_bn('backbone.conv1', 0, 1, 1280, 320, 1)
    layout['head.fc.weight'] = (num_classes, 1280)
    layout['head.fc.bias'] = (num_classes, )
    return layout


def test_state_dict_is_the_original_layout():
    model = _model(200)
    got = {k: tuple(v.shape) for k, v in model.state_dict().items()}
    expected = _expected_layout(200)
    assert list(got) == list(expected)
    assert got == expected
    n = sum(p.numel() for p in model.parameters())
    assert n == PARAMS_200


def test_registry_and_export():
    from mmpretrain.models import MobileNetV2 as MMPretrainMobileNetV2
    from mmpretrain.registry import MODELS

    import mmkd_logits  # noqa: F401
    from mmkd_logits.models.backbones import TinyImageNetMobileNetV2
    assert MODELS.get('TinyImageNet_MobileNetV2') is TinyImageNetMobileNetV2
    assert MODELS.get('MobileNetV2') is MMPretrainMobileNetV2


@pytest.mark.parametrize('size,expected', [(64, 9), (32, 5)])
def test_pre_pool_map(size, expected):
    model = _model().eval()
    with torch.no_grad():
        (feat, ) = model.backbone(torch.zeros(1, 3, size, size))
    # 1x1 stem with padding 1: size + 2, then three stride-2 stages
    assert tuple(feat.shape) == (1, 1280, expected, expected)


def _ref_forward(sd: Dict[str, torch.Tensor], x: torch.Tensor) -> torch.Tensor:
    """An independent eval-mode forward on the original keys."""

    def conv_bn(x, prefix, c, b, stride=1, padding=0, groups=1, act=True):
        x = F.conv2d(x, sd[f'{prefix}.{c}.weight'], sd[f'{prefix}.{c}.bias'],
                     stride, padding, 1, groups)
        x = F.batch_norm(x, sd[f'{prefix}.{b}.running_mean'],
                         sd[f'{prefix}.{b}.running_var'],
                         sd[f'{prefix}.{b}.weight'], sd[f'{prefix}.{b}.bias'],
                         False, 0.0, 1e-5)
        return F.relu6(x) if act else x

    x = conv_bn(x, 'backbone.pre', 0, 1, padding=1)
    for prefix, c_in, c_out, stride, t in _blocks():
        p = f'backbone.{prefix}residual'
        y = conv_bn(x, p, 0, 1)
        y = conv_bn(y, p, 3, 4, stride, 1, groups=c_in * t)
        y = conv_bn(y, p, 6, 7, act=False)
        x = x + y if stride == 1 and c_in == c_out else y
    x = conv_bn(x, 'backbone.conv1', 0, 1)
    x = x.mean(dim=(2, 3))
    return F.linear(x, sd['head.fc.weight'], sd['head.fc.bias'])


def test_logits_match_functional_reference():
    torch.manual_seed(0)
    model = _model(10)
    # non-trivial BN statistics, so that every BN matters
    with torch.no_grad():
        for name, buf in model.named_buffers():
            if name.endswith('running_mean'):
                buf.normal_(0, 0.1)
            elif name.endswith('running_var'):
                buf.uniform_(0.5, 1.5)
    model.eval()
    x = torch.randn(2, 3, 64, 64)
    with torch.no_grad():
        got = model(x, mode='tensor')
        ref = _ref_forward(model.state_dict(), x)
    torch.testing.assert_close(got, ref, rtol=1e-4, atol=1e-5)


def test_tiny_imagenet_model_configs():
    from mmengine.config import Config
    from mmpretrain.registry import MODELS

    import mmkd_logits  # noqa: F401
    expected = dict(
        ResNet18=11_271_432, MobileNetV2=PARAMS_200, ShuffleV2=1_458_028)
    for arch, params in expected.items():
        cfg = Config.fromfile(
            str(CONFIGS / '_base_' / 'models' / 'tiny_imagenet' /
                f'{arch}.py'))
        model = MODELS.build(cfg.model)
        assert model.head.num_classes == 200
        assert sum(p.numel() for p in model.parameters()) == params, arch
        with torch.no_grad():
            out = model.eval()(torch.zeros(1, 3, 64, 64), mode='tensor')
        assert tuple(out.shape) == (1, 200)
