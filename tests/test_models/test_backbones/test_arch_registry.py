"""The backbone families (one class, an ``arch_settings`` table) and the zoo
names registered for each of their architectures."""
import pytest
import torch

from tests.helpers.cifar_zoo import load_zoo_layout

pytestmark = pytest.mark.usefixtures('one_thread')

#: family class name -> the architectures its table must hold (the zoo
#: names of the CRD/mdistiller benchmark, as in the layout contract)
FAMILIES = {
    'CIFARResNet': ('resnet8', 'resnet14', 'resnet20', 'resnet32', 'resnet44',
                    'resnet56', 'resnet110', 'resnet8x4', 'resnet32x4'),
    'CIFARResNetV2': ('ResNet18', 'ResNet34', 'ResNet50'),
    'WideResNetCIFAR': ('wrn_16_1', 'wrn_16_2', 'wrn_40_1', 'wrn_40_2'),
    'CIFARVGG': ('vgg8', 'vgg11', 'vgg13', 'vgg16', 'vgg19'),
}
ARCHS = [(family, arch) for family, archs in FAMILIES.items()
         for arch in archs]


def _family(name: str) -> type:
    import mmkd_logits.models.backbones as backbones
    return getattr(backbones, name)


def _models():
    from mmpretrain.registry import MODELS

    import mmkd_logits  # noqa: F401
    return MODELS


def test_tables_hold_exactly_the_zoo_archs():
    for name, archs in FAMILIES.items():
        assert tuple(_family(name).arch_settings) == archs, name
    assert {a for _, a in ARCHS} <= set(load_zoo_layout())


@pytest.mark.parametrize('family,arch', ARCHS)
def test_registry_name_builds_the_family_network(family, arch):
    """``type='<arch>'`` builds ``Family(arch=<arch>)``: same class, same
    state-dict keys and, from the same seed, the same weights."""
    cls = _family(family)
    torch.manual_seed(0)
    by_name = _models().build(dict(type=arch))
    torch.manual_seed(0)
    direct = cls(arch=arch)
    assert type(by_name) is cls
    assert by_name.arch == direct.arch == arch
    ours, theirs = by_name.state_dict(), direct.state_dict()
    assert list(ours) == list(theirs)
    for key in ours:
        assert torch.equal(ours[key], theirs[key]), key
    # the family class itself is a registry name too
    assert _models().get(family) is cls


@pytest.mark.parametrize('family,arch', ARCHS)
def test_original_key_layout(family, arch):
    """The backbone's keys are the original network's, minus its
    classifier (the converter maps them onto ``head.fc``)."""
    layout = load_zoo_layout()[arch]['state_dict']
    keys = list(_models().build(dict(type=arch)).state_dict())
    classifier = ('fc.', 'linear.', 'classifier.')
    expected = [k for k in layout if not k.startswith(classifier)]
    assert keys == expected


@pytest.mark.parametrize('family', list(FAMILIES))
@pytest.mark.parametrize('arch', ['resnet9', 'ResNet101', 'VGG13', None, 8])
def test_unknown_arch_names_the_accepted_ones(family, arch):
    cls = _family(family)
    with pytest.raises(ValueError, match='unknown arch') as err:
        cls(arch=arch)
    message = str(err.value)
    assert family in message and repr(arch) in message
    for accepted in FAMILIES[family]:
        assert accepted in message


def test_arch_is_required():
    with pytest.raises(TypeError, match='arch'):
        _family('CIFARResNet')()


def test_a_registry_name_fixes_its_arch():
    """``type='resnet8'`` with another ``arch`` is refused, not silently
    rebuilt as the other network."""
    with pytest.raises(TypeError, match="multiple values for argument 'arch'"):
        _models().build(dict(type='resnet8', arch='resnet20'))


def test_factory_passes_other_arguments_on():
    """``init_cfg`` (and any other constructor argument) reaches the class
    through a registry name."""
    model = _models().build(
        dict(
            type='wrn_16_1',
            init_cfg=dict(type='Constant', val=0.5, layer='Conv2d')))
    model.init_weights()
    conv = model.conv1.weight
    assert torch.equal(conv, torch.full_like(conv, 0.5))
    factory = _models().get('wrn_16_1')
    assert factory.__name__ == 'wrn_16_1'
    assert 'WideResNetCIFAR' in factory.__doc__


def test_zoo_registry_names():
    from mmpretrain.models import MobileNetV2 as MMPretrainMobileNetV2

    from mmkd_logits.models.backbones import (ZOO_REGISTRY_NAMES,
                                              CIFARMobileNetV2, MobileNetV1,
                                              ShuffleV1, ShuffleV2)
    models = _models()
    assert set(ZOO_REGISTRY_NAMES) == set(load_zoo_layout()) | {'MobileNetV1'}
    for zoo_name, registry_name in ZOO_REGISTRY_NAMES.items():
        if registry_name != zoo_name:
            assert (zoo_name, registry_name) == ('MobileNetV2',
                                                 'CIFAR_MobileNetV2')
        assert models.get(registry_name) is not None, zoo_name
    assert models.get('CIFAR_MobileNetV2') is CIFARMobileNetV2
    assert models.get('MobileNetV2') is MMPretrainMobileNetV2
    assert models.get('ShuffleV1') is ShuffleV1
    assert models.get('ShuffleV2') is ShuffleV2
    assert models.get('MobileNetV1') is MobileNetV1
