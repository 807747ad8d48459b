"""The model config files (``configs/_base_/models/**``): new-style configs
that import the classes they build, leave nothing but ``model`` at the top
level, and build the networks they describe."""
import subprocess
import sys
from typing import Any, Iterator

import pytest

from tests.helpers.cifar_zoo import REPO_ROOT

MODELS_DIR = REPO_ROOT / 'configs' / '_base_' / 'models'
MODEL_FILES = sorted(
    str(p.relative_to(MODELS_DIR)) for p in MODELS_DIR.rglob('*.py'))

#: file -> (backbone class, arch or None, num_classes, in_channels,
#: parameters with the head). The ImageNet ResNets are mmpretrain's
#: (He et al.: 11.69M / 21.80M / 25.56M parameters); MobileNet-V1:
#: 4,231,976 (Howard et al., 1000 classes); the Tiny-ImageNet networks:
#: mdistiller's originals with 200 classes.
OTHER_MODELS = {
    'imagenet/resnet18.py': ('ResNet', None, 1000, 512, 11_689_512),
    'imagenet/resnet34.py': ('ResNet', None, 1000, 512, 21_797_672),
    'imagenet/resnet50.py': ('ResNet', None, 1000, 2048, 25_557_032),
    'imagenet/mobilenet_v1.py': ('MobileNetV1', None, 1000, 1024, 4_231_976),
    'tiny_imagenet/ResNet18.py':
    ('CIFARResNetV2', 'ResNet18', 200, 512, 11_271_432),
    'tiny_imagenet/ShuffleV2.py': ('ShuffleV2', None, 200, 1024, 1_458_028),
    'tiny_imagenet/MobileNetV2.py':
    ('TinyImageNetMobileNetV2', None, 200, 1280, 2_497_480),
}

pytestmark = pytest.mark.usefixtures('one_thread')


def _load(name: str):
    from mmengine.config import Config
    return Config.fromfile(str(MODELS_DIR / name))


def _types(value: Any) -> Iterator[Any]:
    """Every ``type`` in a nested config (lazy objects resolved)."""
    if isinstance(value, dict):
        if 'type' in value:
            yield value['type']
        for item in value.values():
            yield from _types(item)


def test_the_files_are_the_zoo_and_the_other_datasets():
    cifar = {f'cifar100/{arch}.py' for arch in _zoo()}
    assert set(MODEL_FILES) == (
        cifar | set(OTHER_MODELS) | {'cifar100_classifier.py'})


def _zoo():
    from tests.helpers.cifar_zoo import load_zoo_layout
    return load_zoo_layout()


@pytest.mark.parametrize('name', MODEL_FILES)
def test_only_model_at_top_level_and_class_types(name):
    """``model`` is the only key (imports are not config keys); every
    ``type`` is the class itself; the classifier keeps mmpretrain's
    scope for the string builds inside mmpretrain."""
    cfg = _load(name)
    assert list(cfg.to_dict()) == ['model']
    assert cfg.model._scope_ == 'mmpretrain'
    types = list(_types(cfg.model))
    assert types, name
    for value in types:
        assert isinstance(value, type), f'{name}: type={value!r}'


@pytest.mark.parametrize('name', sorted(OTHER_MODELS))
def test_imagenet_and_tiny_imagenet_models(name):
    from mmpretrain.models import ImageClassifier
    from mmpretrain.registry import MODELS
    cls_name, arch, classes, in_channels, params = OTHER_MODELS[name]
    cfg = _load(name)
    assert cfg.model.type is ImageClassifier
    assert cfg.model.backbone.type.__name__ == cls_name
    assert cfg.model.backbone.get('arch') == arch
    assert cfg.model.head.num_classes == classes
    assert cfg.model.head.in_channels == in_channels
    model = MODELS.build(cfg.model)
    assert sum(p.numel() for p in model.parameters()) == params
    assert type(model.backbone).__name__ == cls_name


@pytest.mark.slow
@pytest.mark.parametrize('name', [
    'cifar100/resnet8.py', 'imagenet/mobilenet_v1.py',
    'tiny_imagenet/MobileNetV2.py'
])
def test_building_a_model_config_imports_the_plugin(name):
    """A tool that never imports ``mmkd_logits`` (mmengine ignores
    ``custom_imports`` in these configs) still builds the model: the
    classes named as ``type`` bring the plugin in."""
    script = '\n'.join([
        'import sys',
        'from mmengine.config import Config',
        'from mmpretrain.registry import MODELS',
        'cfg = Config.fromfile(sys.argv[1])',
        "print('before build:', 'mmkd_logits' in sys.modules)",
        'model = MODELS.build(cfg.model)',
        "print('after build:', 'mmkd_logits' in sys.modules)",
        'print(type(model.backbone).__module__)',
    ])
    out = subprocess.run(
        [sys.executable, '-c', script,
         str(MODELS_DIR / name)],
        cwd=str(REPO_ROOT),
        capture_output=True,
        text=True,
        timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    lines = out.stdout.splitlines()
    assert lines[-3:-1] == ['before build: False', 'after build: True']
    assert lines[-1].startswith('mmkd_logits.models.backbones.')
