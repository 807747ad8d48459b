"""The CIFAR-100 model zoo (CRD/mdistiller networks) against the layout
contract ``tests/data/cifar_zoo_layout.json``: parameter counts,
pre-pool feature maps, the original state-dict layout parameter for
parameter, and -- for a few networks -- logits against an independent
functional forward written directly on the original keys."""
from math import prod
from typing import Dict

import pytest
import torch
import torch.nn.functional as F

from tests.helpers.cifar_zoo import (CIFAR_ZOO_CONFIGS, REPO_ROOT,
                                     build_zoo_model, load_converter,
                                     load_zoo_config, load_zoo_layout,
                                     random_original_state_dict,
                                     ref_cifar_resnet, ref_vgg, ref_wrn)

#: the zoo of the issue (layout file names = config file names)
ZOO = ('resnet8', 'resnet14', 'resnet20', 'resnet32', 'resnet44', 'resnet56',
       'resnet110', 'resnet8x4', 'resnet32x4', 'ResNet18', 'ResNet34',
       'ResNet50', 'wrn_16_1', 'wrn_16_2', 'wrn_40_1', 'wrn_40_2', 'vgg8',
       'vgg11', 'vgg13', 'vgg16', 'vgg19', 'MobileNetV2', 'ShuffleV1',
       'ShuffleV2')

#: parameter counts quoted in the issue (100-class head)
ISSUE_PARAMS = {
    'resnet8x4': 1_233_540,
    'resnet32x4': 7_433_860,
    'wrn_40_2': 2_255_156,
    'wrn_16_2': 703_284,
    'vgg8': 3_965_028,
    'vgg13': 9_462_180,
    'MobileNetV2': 812_836,
    'ShuffleV1': 949_258,
    'ShuffleV2': 1_355_528,
    'resnet56': 861_620,
    'resnet110': 1_736_564,
    'resnet20': 278_324,
    'ResNet50': 23_705_252,
}

_BUFFER_SUFFIXES = ('running_mean', 'running_var', 'num_batches_tracked')
_MODELS: Dict[str, torch.nn.Module] = {}

pytestmark = pytest.mark.usefixtures('one_thread')


def _model(arch: str) -> torch.nn.Module:
    """One model per architecture for the whole module (building the big
    ones dominates the run time)."""
    if arch not in _MODELS:
        _MODELS[arch] = build_zoo_model(arch)
    return _MODELS[arch]


def _type_name(value) -> str:
    """A config ``type``: a registry name or the class itself."""
    return value if isinstance(value, str) else value.__name__


def _x(size: int = 32, seed: int = 0) -> torch.Tensor:
    return torch.randn(
        2, 3, size, size, generator=torch.Generator().manual_seed(seed))


# --------------------------------------------------------------------------
# the contract itself


def test_layout_file_is_self_consistent():
    layout = load_zoo_layout()
    assert set(layout) == set(ZOO)
    for arch, entry in layout.items():
        n = sum(
            prod(shape) for key, shape in entry['state_dict'].items()
            if not key.endswith(_BUFFER_SUFFIXES))
        assert n == entry['params'], arch
        assert len(entry['feature_map_shape']) == 3, arch
    for arch, n in ISSUE_PARAMS.items():
        assert layout[arch]['params'] == n, arch


def test_every_arch_has_a_model_config_and_a_vanilla_config():
    configs = {p.stem for p in CIFAR_ZOO_CONFIGS.glob('*.py')}
    assert configs == set(ZOO)
    for arch in ZOO:
        assert (REPO_ROOT / 'configs' /
                f'vanilla_{arch}_cifar100.py').is_file()


def test_registry_names():
    from mmpretrain.models import ImageClassifier
    from mmpretrain.models import MobileNetV2 as MMPretrainMobileNetV2
    from mmpretrain.registry import MODELS

    import mmkd_logits  # noqa: F401
    from mmkd_logits.models.backbones import (ZOO_REGISTRY_NAMES,
                                              CIFARMobileNetV2)
    for arch in ZOO + ('MobileNetV1', ):
        assert MODELS.get(ZOO_REGISTRY_NAMES[arch]) is not None, arch
    # mmpretrain's own MobileNetV2 is untouched; ours has a prefixed name
    assert MODELS.get('MobileNetV2') is MMPretrainMobileNetV2
    assert MODELS.get('CIFAR_MobileNetV2') is CIFARMobileNetV2
    for arch in ZOO:
        cfg = load_zoo_config(arch)
        assert cfg.model.type is ImageClassifier
        assert cfg.model.head.num_classes == 100
        # the config names the class itself (so that building it imports
        # the plugin), with the architecture when the class is a family
        backbone = cfg.model.backbone
        assert type(_model(arch).backbone) is backbone.type, arch
        if 'arch' in backbone:
            assert backbone.arch == arch
            assert arch in backbone.type.arch_settings
        else:
            assert backbone.type is MODELS.get(ZOO_REGISTRY_NAMES[arch])


# --------------------------------------------------------------------------
# per architecture


@pytest.mark.parametrize('arch', ZOO)
def test_params_and_feature_map(arch):
    layout = load_zoo_layout()[arch]
    model = _model(arch)
    assert sum(p.numel() for p in model.parameters()) == layout['params']
    with torch.no_grad():
        feats = model.backbone(_x())
        logits = model.head(model.neck(feats))
    assert isinstance(feats, tuple)
    assert list(feats[-1].shape) == [2] + layout['feature_map_shape']
    assert logits.shape == (2, 100) and torch.isfinite(logits).all()
    assert model.head.fc.in_features == layout['feature_map_shape'][0]
    assert model.backbone.out_channels == layout['feature_map_shape'][0]


@pytest.mark.parametrize('arch', ZOO)
def test_state_dict_is_the_original_layout(arch):
    """Parameter for parameter: the original keys, mapped, are our keys in
    the same order with the same shapes."""
    layout = load_zoo_layout()[arch]['state_dict']
    conv = load_converter()
    ours = [(k, list(v.shape)) for k, v in _model(arch).state_dict().items()]
    mapped = [(conv.map_key(arch, k), list(s)) for k, s in layout.items()]
    assert mapped == ours


@pytest.mark.parametrize('arch', ZOO)
def test_random_original_checkpoint_converts_and_loads_strictly(arch):
    layout = load_zoo_layout()[arch]['state_dict']
    conv = load_converter()
    model = _model(arch)
    original = random_original_state_dict(layout, seed=1)
    ours = {k: v.shape for k, v in model.state_dict().items()}
    converted, filled = conv.convert_state_dict(arch, original, 100, ours)
    assert filled == []
    assert list(converted) == list(ours)
    result = model.load_state_dict(converted, strict=True)
    assert not result.missing_keys and not result.unexpected_keys
    for key, value in original.items():
        assert torch.equal(converted[conv.map_key(arch, key)], value), key
    # the values were loaded as they are (no copy was lost on the way)
    ours = model.state_dict()
    for key in (next(iter(original)), *list(original)[-2:]):
        assert torch.equal(ours[conv.map_key(arch, key)], original[key]), key


# --------------------------------------------------------------------------
# independent reference forwards, on the original key names


@pytest.mark.parametrize('arch,reference', [
    ('resnet8', ref_cifar_resnet),
    ('resnet8x4', ref_cifar_resnet),
    ('resnet20', ref_cifar_resnet),
    ('wrn_16_1', ref_wrn),
    ('wrn_16_2', ref_wrn),
    ('vgg8', ref_vgg),
])
def test_logits_match_an_independent_forward(arch, reference):
    layout = load_zoo_layout()[arch]['state_dict']
    conv = load_converter()
    model = _model(arch)
    original = random_original_state_dict(layout, seed=2)
    converted, _ = conv.convert_state_dict(arch, original, 100, {
        k: v.shape
        for k, v in model.state_dict().items()
    })
    model.load_state_dict(converted, strict=True)
    x = _x(seed=3)
    with torch.no_grad():
        ours = model(x, mode='tensor')
        expected = reference(original, x)
    torch.testing.assert_close(ours, expected, rtol=1e-4, atol=1e-5)


# --------------------------------------------------------------------------
# MobileNetV1 (ImageNet) and generic behaviour


def test_mobilenet_v1_imagenet():
    from mmpretrain.registry import MODELS

    import mmkd_logits  # noqa: F401
    model = MODELS.build(
        dict(
            type='ImageClassifier',
            backbone=dict(type='MobileNetV1'),
            neck=dict(type='GlobalAveragePooling'),
            head=dict(
                type='LinearClsHead', num_classes=1000,
                in_channels=1024))).eval()
    # Howard et al.: 4.2M parameters (1000 classes)
    assert sum(p.numel() for p in model.parameters()) == 4_231_976
    keys = list(model.state_dict())
    assert keys[0] == 'backbone.model.0.0.weight'
    assert keys[-2:] == ['head.fc.weight', 'head.fc.bias']
    with torch.no_grad():
        feats = model.backbone(torch.randn(1, 3, 224, 224))
    assert list(feats[-1].shape) == [1, 1024, 7, 7]


@pytest.mark.parametrize('arch', ['resnet8', 'wrn_16_1', 'ShuffleV2'])
def test_train_step_backward(arch):
    """Each backbone trains inside an ImageClassifier (BN in train mode,
    gradients reach the first convolution)."""
    model = build_zoo_model(arch).train()
    logits = model(_x(), mode='tensor')
    F.cross_entropy(logits, torch.tensor([1, 2])).backward()
    first = next(model.backbone.parameters())
    assert first.grad is not None and first.grad.abs().sum() > 0


def test_vgg_pools_block3_only_for_64px_inputs():
    """The original pools after block 3 only for 64x64 (Tiny-ImageNet)
    inputs; 32x32 and 64x64 both end in 4x4."""
    model = _model('vgg8')
    with torch.no_grad():
        assert model.backbone(_x(32))[-1].shape[-2:] == (4, 4)
        assert model.backbone(_x(64))[-1].shape[-2:] == (4, 4)


def test_layout_is_in_the_repository_and_absent_is_an_error(
        monkeypatch, tmp_path):
    """The contract is vendored (tests never skip for want of it); a
    missing file is a FileNotFoundError naming the path."""
    from tests.helpers import cifar_zoo
    assert cifar_zoo.LAYOUT_PATH == (
        REPO_ROOT / 'tests' / 'data' / 'cifar_zoo_layout.json')
    assert cifar_zoo.LAYOUT_PATH.is_file()
    missing = tmp_path / 'absent.json'
    monkeypatch.setattr(cifar_zoo, 'LAYOUT_PATH', missing)
    cifar_zoo.load_zoo_layout.cache_clear()
    try:
        with pytest.raises(
                FileNotFoundError, match='layout file not found') as err:
            cifar_zoo.load_zoo_layout()
        assert str(missing) in str(err.value)
    finally:
        cifar_zoo.load_zoo_layout.cache_clear()
        monkeypatch.undo()
    assert set(load_zoo_layout()) == set(ZOO)


@pytest.mark.parametrize('arch', ZOO)
def test_vanilla_config(arch):
    """The teacher-training config: the zoo model, CE, the CIFAR schedule
    (lr 0.01 for ShuffleNet / MobileNet, 0.05 otherwise)."""
    from mmengine.config import Config
    from mmpretrain.models import CrossEntropyLoss
    cfg = Config.fromfile(
        str(REPO_ROOT / 'configs' / f'vanilla_{arch}_cifar100.py'))
    assert cfg.model.to_dict() == load_zoo_config(arch).model.to_dict()
    assert cfg.model.head.loss.type is CrossEntropyLoss
    assert cfg.train_cfg.max_epochs == 240
    assert _type_name(cfg.train_dataloader.dataset.type) == 'CIFAR100'
    lr = 0.01 if arch in ('MobileNetV2', 'ShuffleV1', 'ShuffleV2') else 0.05
    assert cfg.optim_wrapper.optimizer.lr == lr
