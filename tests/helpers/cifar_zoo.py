"""The CIFAR-100 zoo layout contract (``tests/data/cifar_zoo_layout.json``)
and random checkpoints in the original (CRD/mdistiller) layout.

The layout file lists, per architecture, the original state-dict keys and
shapes in order, the parameter count and the pre-pool feature-map shape
(generated numbers; its ``source`` entry says where they come from). It is
part of the repository: a test that needs it fails, naming the path, if it
is missing -- it never skips.
"""
import copy
import json
from collections import OrderedDict
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Mapping

import torch
import torch.nn.functional as F

__all__ = [
    'REPO_ROOT', 'LAYOUT_PATH', 'load_zoo_layout',
    'random_original_state_dict', 'build_zoo_model', 'CIFAR_ZOO_CONFIGS',
    'load_converter', 'load_zoo_config', 'ref_cifar_resnet', 'ref_wrn',
    'ref_vgg'
]

REPO_ROOT = Path(__file__).resolve().parents[2]
LAYOUT_PATH = REPO_ROOT / 'tests' / 'data' / 'cifar_zoo_layout.json'
CIFAR_ZOO_CONFIGS = REPO_ROOT / 'configs' / '_base_' / 'models' / 'cifar100'


@lru_cache(maxsize=1)
def load_zoo_layout() -> Dict[str, Any]:
    """``{arch: {'params', 'feature_map_shape', 'state_dict'}}``.

    Raises:
        FileNotFoundError: the layout file is missing (it is tracked in
            git: restore it with ``git checkout -- tests/data``).
    """
    if not LAYOUT_PATH.is_file():
        raise FileNotFoundError(
            f'CIFAR zoo layout file not found: {LAYOUT_PATH} (it is part of '
            'the repository; restore it with `git checkout -- tests/data`)')
    with open(LAYOUT_PATH) as f:
        return json.load(f)['models']


def random_original_state_dict(
        shapes: Mapping[str, Any],
        seed: int = 0) -> 'OrderedDict[str, torch.Tensor]':
    """A random state dict in the original layout (keys in order).

    Values keep a deep network's activations finite: convolution / linear
    weights ``N(0, 1 / fan_in)``, BN affine near (1, 0), running means
    near 0, running variances in [0.5, 1.5], ``num_batches_tracked`` an
    int64 scalar.
    """
    gen = torch.Generator().manual_seed(seed)
    out = OrderedDict()
    for key, shape in shapes.items():
        shape = tuple(shape)
        if key.endswith('num_batches_tracked'):
            out[key] = torch.randint(0, 1000, (), generator=gen)
        elif key.endswith('running_var'):
            out[key] = torch.rand(shape, generator=gen) + 0.5
        elif key.endswith('running_mean'):
            out[key] = torch.randn(shape, generator=gen) * 0.1
        elif len(shape) == 1 and key.endswith('weight'):  # BN scale
            out[key] = 1 + torch.randn(shape, generator=gen) * 0.1
        elif len(shape) == 1:  # BN / conv / linear bias
            out[key] = torch.randn(shape, generator=gen) * 0.1
        else:
            fan_in = 1
            for s in shape[1:]:
                fan_in *= s
            out[key] = torch.randn(shape, generator=gen) / fan_in**0.5
    return out


@lru_cache(maxsize=None)
def _zoo_config(arch: str):
    from mmengine.config import Config
    return Config.fromfile(str(CIFAR_ZOO_CONFIGS / f'{arch}.py'))


def load_zoo_config(arch: str):
    """``configs/_base_/models/cifar100/<arch>.py`` (a fresh copy)."""
    return copy.deepcopy(_zoo_config(arch))


def build_zoo_model(arch: str, num_classes: int = 100) -> torch.nn.Module:
    """Our ImageClassifier for ``arch`` from its model config (eval mode)."""
    from mmpretrain.registry import MODELS

    import mmkd_logits  # noqa: F401
    cfg = load_zoo_config(arch)
    cfg.model.head.num_classes = num_classes
    return MODELS.build(cfg.model).eval()


@lru_cache(maxsize=1)
def load_converter():
    """The checkpoint conversion API (``mmkd_logits.apis.
    convert_mdistiller``, what ``tools/convert_mdistiller_ckpt.py`` runs)."""
    from mmkd_logits.apis import convert_mdistiller
    return convert_mdistiller


# Independent reference forwards (used to show that converted weights give
# the logits of the original networks).


def _bn(x, sd, p):
    return F.batch_norm(x, sd[p + '.running_mean'], sd[p + '.running_var'],
                        sd[p + '.weight'], sd[p + '.bias'], False, 0.0, 1e-5)


def ref_cifar_resnet(sd: Mapping[str, torch.Tensor],
                     x: torch.Tensor) -> torch.Tensor:
    """Logits of a CRD CIFAR ResNet (``resnet8`` ... ``resnet32x4``), in
    eval mode, computed with ``torch.nn.functional`` on the original keys."""
    x = F.relu(_bn(F.conv2d(x, sd['conv1.weight'], padding=1), sd, 'bn1'))
    for stage in (1, 2, 3):
        i = 0
        while f'layer{stage}.{i}.conv1.weight' in sd:
            p = f'layer{stage}.{i}.'
            s = 2 if stage > 1 and i == 0 else 1
            y = F.conv2d(x, sd[p + 'conv1.weight'], stride=s, padding=1)
            y = F.relu(_bn(y, sd, p + 'bn1'))
            y = _bn(
                F.conv2d(y, sd[p + 'conv2.weight'], padding=1), sd, p + 'bn2')
            if p + 'downsample.0.weight' in sd:
                x = _bn(
                    F.conv2d(x, sd[p + 'downsample.0.weight'], stride=s), sd,
                    p + 'downsample.1')
            x = F.relu(y + x)
            i += 1
    return F.linear(x.mean((2, 3)), sd['fc.weight'], sd['fc.bias'])


def ref_wrn(sd: Mapping[str, torch.Tensor], x: torch.Tensor) -> torch.Tensor:
    """Logits of a CRD pre-activation WRN (``wrn_*``), eval mode, on the
    original keys."""
    x = F.conv2d(x, sd['conv1.weight'], padding=1)
    for group in (1, 2, 3):
        i = 0
        while f'block{group}.layer.{i}.conv1.weight' in sd:
            p = f'block{group}.layer.{i}.'
            s = 2 if group > 1 and i == 0 else 1
            pre = F.relu(_bn(x, sd, p + 'bn1'))
            y = F.conv2d(pre, sd[p + 'conv1.weight'], stride=s, padding=1)
            y = F.relu(_bn(y, sd, p + 'bn2'))
            y = F.conv2d(y, sd[p + 'conv2.weight'], padding=1)
            if p + 'convShortcut.weight' in sd:
                x = F.conv2d(pre, sd[p + 'convShortcut.weight'], stride=s)
            x = x + y
            i += 1
    x = F.relu(_bn(x, sd, 'bn1'))
    return F.linear(x.mean((2, 3)), sd['fc.weight'], sd['fc.bias'])


def ref_vgg(sd: Mapping[str, torch.Tensor], x: torch.Tensor) -> torch.Tensor:
    """Logits of a CRD VGG with BN (``vgg*``) for 32x32 inputs, eval mode,
    on the original keys."""
    for block in range(5):
        j = 0
        while f'block{block}.{3 * j}.weight' in sd:
            p = f'block{block}.{3 * j}'
            x = F.conv2d(x, sd[p + '.weight'], sd[p + '.bias'], padding=1)
            x = F.relu(_bn(x, sd, f'block{block}.{3 * j + 1}'))
            j += 1
        if block < 3:
            x = F.max_pool2d(x, 2)
    return F.linear(
        x.mean((2, 3)), sd['classifier.weight'], sd['classifier.bias'])
