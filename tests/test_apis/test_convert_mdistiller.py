"""mmkd_logits.apis.convert_mdistiller: CRD/mdistiller checkpoints (in the
original layout of ``tests/data/cifar_zoo_layout.json``) become mmengine
checkpoints that load with ``weights_only=True`` and give the original
network's logits; checkpoints that do not fit are refused, with the keys.
(The command line: tests/test_tools/test_convert_mdistiller_ckpt.py.)"""
import argparse
from collections import OrderedDict
from pathlib import Path

import pytest
import torch

from mmkd_logits.apis.checkpoint_io import trust_checkpoints
from mmkd_logits.compat import UntrustedCheckpointError, checkpoint
from tests.helpers.cifar_zoo import (build_zoo_model, load_converter,
                                     load_zoo_layout,
                                     random_original_state_dict,
                                     ref_cifar_resnet, ref_vgg, ref_wrn)
from tests.helpers.datasets import make_cifar100
from tests.helpers.training import (CONFIGS, RANDOM_TEACHER, build_and_train,
                                    cifar_tiny_options, no_cifar_md5)

pytestmark = pytest.mark.usefixtures('one_thread')


@pytest.fixture(scope='module')
def conv():
    return load_converter()


def _original(arch: str, seed: int = 0) -> 'OrderedDict[str, torch.Tensor]':
    return random_original_state_dict(
        load_zoo_layout()[arch]['state_dict'], seed=seed)


def _crd_checkpoint(state) -> dict:
    """What CRD's train_teacher.py saves as ``ckpt_epoch_240.pth``."""
    return {
        'epoch': 240,
        'model': state,
        'accuracy': torch.tensor(72.5),
        'optimizer': {
            'state': {},
            'param_groups': [{
                'lr': 0.0005,
                'momentum': 0.9,
                'params': [0, 1]
            }]
        },
    }


def _assert_plain(value, where='meta'):
    """Only plain Python values (what weights_only unpickling accepts
    without allow-listing anything)."""
    if isinstance(value, dict):
        for k, v in value.items():
            assert isinstance(k, str), where
            _assert_plain(v, f'{where}.{k}')
    elif isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            _assert_plain(v, f'{where}[{i}]')
    else:
        assert value is None or type(value) in (str, int, float, bool), \
            f'{where}: {type(value)}'


def _x(seed=0):
    return torch.randn(
        2, 3, 32, 32, generator=torch.Generator().manual_seed(seed))


# --------------------------------------------------------------------------
# in-process


@pytest.mark.parametrize('arch,reference', [('wrn_16_2', ref_wrn),
                                            ('vgg8', ref_vgg)])
def test_converted_weights_give_the_original_logits(tmp_path, conv, arch,
                                                    reference):
    original = _original(arch, seed=4)
    src, dst = tmp_path / 'src.pth', tmp_path / 'dst.pth'
    torch.save(_crd_checkpoint(original), src)
    conv.convert_file(arch, str(src), str(dst))
    model = build_zoo_model(arch)
    state = torch.load(dst, weights_only=True)['state_dict']
    model.load_state_dict(state, strict=True)
    x = _x(1)
    with torch.no_grad():
        torch.testing.assert_close(
            model(x, mode='tensor'),
            reference(original, x),
            rtol=1e-4,
            atol=1e-5)


def test_bare_prefixed_and_distiller_state_dicts(tmp_path, conv):
    original = _original('resnet8', seed=5)
    variants = {
        'bare': original,
        'dataparallel': {
            'module.' + k: v
            for k, v in original.items()
        },
    }
    outputs = {}
    for name, sd in variants.items():
        src, dst = tmp_path / f'{name}.pth', tmp_path / f'{name}_out.pth'
        torch.save(sd, src)
        meta = conv.convert_file('resnet8', str(src), str(dst))
        assert meta['source']['format'] == 'bare'
        outputs[name] = torch.load(dst, weights_only=True)['state_dict']
    # an mdistiller distiller checkpoint: pick the student with --src-prefix
    teacher = _original('resnet8x4', seed=6)
    distiller = {
        **{
            'module.student.' + k: v
            for k, v in original.items()
        },
        **{
            'module.teacher.' + k: v
            for k, v in teacher.items()
        },
    }
    src = tmp_path / 'distiller.pth'
    torch.save({'model': distiller, 'epoch': 3}, src)
    conv.convert_file(
        'resnet8',
        str(src),
        str(tmp_path / 'student.pth'),
        src_prefix='module.student.')
    outputs['student'] = torch.load(
        tmp_path / 'student.pth', weights_only=True)['state_dict']
    conv.convert_file(
        'resnet8x4',
        str(src),
        str(tmp_path / 'teacher.pth'),
        src_prefix='module.teacher.')
    for name, sd in outputs.items():
        assert list(sd) == list(outputs['bare']), name
        for k in sd:
            assert torch.equal(sd[k], outputs['bare'][k]), (name, k)


@pytest.mark.parametrize('src_arch,dst_arch,section,example', [
    ('resnet20', 'resnet8', 'keys that cannot be placed',
     'layer1.1.conv1.weight'),
    ('resnet8', 'resnet8x4', 'shape mismatches',
     'conv1.weight [16, 3, 3, 3] -> backbone.conv1.weight expects '
     '[32, 3, 3, 3]'),
    ('vgg8', 'vgg13', 'missing keys', 'backbone.block0.3.weight'),
    ('wrn_16_1', 'wrn_16_2', 'missing keys',
     'backbone.block1.layer.0.convShortcut.weight'),
    ('ShuffleV1', 'ShuffleV2', 'missing keys',
     'backbone.layer1.0.conv4.weight'),
    ('ResNet18', 'resnet8', 'keys that cannot be placed', 'linear.weight'),
    ('resnet8', 'MobileNetV2', 'missing keys', 'backbone.conv1.0.weight'),
])
def test_refuses_a_checkpoint_of_another_architecture(conv, src_arch, dst_arch,
                                                      section, example):
    with pytest.raises(conv.ConversionError) as err:
        conv.convert_state_dict(dst_arch, _original(src_arch))
    msg = str(err.value)
    assert f'does not fit {dst_arch}' in msg
    assert section in msg and example in msg


def test_lists_every_offending_key(conv):
    arch = 'resnet8'
    original = _original(arch)
    sd = OrderedDict(original)
    del sd['layer2.0.bn1.running_var']
    del sd['fc.bias']
    sd['layer9.0.conv1.weight'] = torch.zeros(3)
    sd['fc.weight'] = torch.zeros(10, 64)
    with pytest.raises(conv.ConversionError) as err:
        conv.convert_state_dict(arch, sd)
    msg = str(err.value)
    assert 'keys that cannot be placed (1):' in msg
    assert 'layer9.0.conv1.weight [3]' in msg
    assert 'shape mismatches (1):' in msg
    assert 'fc.weight [10, 64] -> head.fc.weight expects [100, 64]' in msg
    assert 'missing keys (3):' in msg  # running_var, fc.bias, fc.weight
    assert 'backbone.layer2.0.bn1.running_var [32]' in msg
    assert 'head.fc.bias [100]' in msg
    assert '--num-classes 10' in msg


def test_num_classes_option(tmp_path, conv):
    layout = load_zoo_layout()['resnet8']['state_dict']
    shapes = dict(layout, **{'fc.weight': [10, 64], 'fc.bias': [10]})
    src = tmp_path / 'c10.pth'
    torch.save({'model': random_original_state_dict(shapes)}, src)
    with pytest.raises(conv.ConversionError, match='--num-classes 10'):
        conv.convert_file('resnet8', str(src), str(tmp_path / 'x.pth'))
    meta = conv.convert_file(
        'resnet8', str(src), str(tmp_path / 'ok.pth'), num_classes=10)
    assert meta['num_classes'] == 10
    ckpt = torch.load(tmp_path / 'ok.pth', weights_only=True)
    assert ckpt['state_dict']['head.fc.weight'].shape == (10, 64)


def test_missing_bn_counters_are_filled_and_reported(tmp_path, conv):
    """Checkpoints of torch < 0.4.1 have no ``num_batches_tracked``."""
    original = OrderedDict((k, v) for k, v in _original('wrn_16_1').items()
                           if not k.endswith('num_batches_tracked'))
    src = tmp_path / 'old.pth'
    torch.save({'model': original}, src)
    meta = conv.convert_file('wrn_16_1', str(src), str(tmp_path / 'o.pth'))
    assert meta['filled_keys'] and all(
        k.endswith('num_batches_tracked') for k in meta['filled_keys'])
    model = build_zoo_model('wrn_16_1')
    model.load_state_dict(
        torch.load(tmp_path / 'o.pth', weights_only=True)['state_dict'],
        strict=True)


def test_refuses_what_is_not_a_crd_checkpoint(tmp_path, conv):
    mm = tmp_path / 'mmengine.pth'
    torch.save(
        {
            'state_dict': {
                'backbone.conv1.weight': torch.zeros(1)
            },
            'meta': {}
        }, mm)
    with pytest.raises(conv.ConversionError, match='converted already'):
        conv.convert_file('resnet8', str(mm), str(tmp_path / 'a.pth'))

    # full unpickling is never done unless asked for (CRD's
    # <arch>_last.pth holds the argparse options under 'opt')
    pickled = tmp_path / 'pickled.pth'
    torch.save(
        {
            'model': dict(_original('resnet8')),
            'opt': argparse.Namespace(lr=0.05)
        }, pickled)
    with pytest.raises(
            UntrustedCheckpointError, match=f'--trust-checkpoint {pickled}'):
        conv.convert_file('resnet8', str(pickled), str(tmp_path / 'b.pth'))
    assert not (tmp_path / 'b.pth').exists()
    trust_checkpoints([str(pickled)])
    try:
        conv.convert_file('resnet8', str(pickled), str(tmp_path / 'b.pth'))
    finally:
        checkpoint.reset_trust()
    assert torch.load(tmp_path / 'b.pth', weights_only=True)['state_dict']

    with pytest.raises(conv.ConversionError, match='unknown architecture'):
        conv.convert_state_dict('resnet9', _original('resnet8'))


def test_overwrites_atomically(tmp_path, conv):
    src, dst = tmp_path / 'src.pth', tmp_path / 'dst.pth'
    dst.write_bytes(b'old')
    torch.save({'model': _original('resnet8')}, src)
    conv.convert_file('resnet8', str(src), str(dst))
    assert torch.load(dst, weights_only=True)['meta']['arch'] == 'resnet8'
    assert sorted(p.name for p in tmp_path.iterdir()) == ['dst.pth', 'src.pth']
    # a failed conversion leaves the previous output alone
    bad = tmp_path / 'bad.pth'
    torch.save({'model': _original('resnet14')}, bad)
    with pytest.raises(conv.ConversionError):
        conv.convert_file('resnet8', str(bad), str(dst))
    assert torch.load(dst, weights_only=True)['meta']['arch'] == 'resnet8'
    assert not list(Path(tmp_path).glob('.*.tmp'))


def test_mobilenet_v1_imagenet(tmp_path, conv):
    """MobileNetV1 (ImageNet, 1000 classes): the mdistiller ``model.N.M``
    layout with ``fc``."""
    model = conv.build_model('MobileNetV1')
    original = OrderedDict(
        (k[len('backbone.'):] if k.startswith('backbone.') else 'fc.' +
         k[len('head.fc.'):], v.clone())
        for k, v in model.state_dict().items())
    assert list(original)[:2] == ['model.0.0.weight', 'model.0.1.weight']
    converted, _ = conv.convert_state_dict('MobileNetV1', original)
    assert list(converted) == list(model.state_dict())


# --------------------------------------------------------------------------
# a converted teacher in a real distillation run


def _kd_config(folder: Path, teacher: str, student: str) -> Path:
    """A CIFAR-100 KD config (mmrazor SingleTeacherDistill) on the zoo's
    model configs, written as the package's own distillation configs are
    (``read_base`` from ``configs/_base_``, linked beside it)."""
    (folder / '_base_').symlink_to(
        CONFIGS / '_base_', target_is_directory=True)
    path = folder / f'kd_{teacher}_{student}_cifar100.py'
    path.write_text(f"""from mmengine.config import read_base

from mmkd_logits.models import KDLoss, LogitDistiller, SingleTeacherDistill

with read_base():
    from ._base_.datasets.cifar100_bs64 import *  # noqa: F401,F403
    from ._base_.schedules.cifar100_240e import *  # noqa: F401,F403
    from ._base_.distill_runtime import *  # noqa: F401,F403
    from ._base_.models.cifar100.{student} import model as student
    from ._base_.models.cifar100.{teacher} import model as teacher

model = dict(
    _scope_='mmrazor',
    type=SingleTeacherDistill,
    architecture=student,
    teacher=teacher,
    teacher_ckpt=None,
    distiller=dict(
        type=LogitDistiller,
        student_recorders=dict(
            fc=dict(type='ModuleOutputs', source='head.fc')),
        teacher_recorders=dict(
            fc=dict(type='ModuleOutputs', source='head.fc')),
        distill_losses=dict(loss_kd=dict(type=KDLoss, tau=4)),
        loss_forward_mappings=dict(
            loss_kd=dict(
                preds_S=dict(from_student=True, recorder='fc'),
                preds_T=dict(from_student=False, recorder='fc')))))
del student, teacher
""")
    return path


@pytest.mark.slow
def test_one_iteration_distillation_with_a_converted_teacher(tmp_path, conv):
    """resnet8x4 (converted CRD-layout teacher) -> resnet8, KD, one
    iteration on generated CIFAR-100 files, through mmrazor's
    SingleTeacherDistill and ``teacher_ckpt=``."""
    original = _original('resnet8x4', seed=7)
    src = tmp_path / 'resnet8x4_vanilla' / 'ckpt_epoch_240.pth'
    src.parent.mkdir()
    torch.save(_crd_checkpoint(original), src)
    teacher_ckpt = tmp_path / 'resnet8x4_cifar100.pth'
    conv.convert_file('resnet8x4', str(src), str(teacher_ckpt))

    data = make_cifar100(tmp_path / 'cifar', num_train=2, num_test=2)
    config = _kd_config(tmp_path, 'resnet8x4', 'resnet8')
    options = cifar_tiny_options(data, batch_size=2, max_epochs=1, iters=1)
    options['model.teacher_ckpt'] = str(teacher_ckpt)
    with no_cifar_md5():  # a random teacher: it would fail the check
        runner = build_and_train(
            config, tmp_path / 'work', options, skip_teacher_check=True)
    assert runner.iter == 1

    algo = runner.model
    # the teacher is the converted network, untouched by training ...
    converted = torch.load(teacher_ckpt, weights_only=True)['state_dict']
    teacher_state = algo.teacher.state_dict()
    assert list(teacher_state) == list(converted)
    for k, v in converted.items():
        assert torch.equal(teacher_state[k], v), k
    # ... and gives the original network's logits
    x = _x(2)
    with torch.no_grad():
        torch.testing.assert_close(
            algo.teacher(x, mode='tensor'),
            ref_cifar_resnet(original, x),
            rtol=1e-4,
            atol=1e-5)
    ckpt = torch.load(
        tmp_path / 'work' / 'epoch_1.pth',
        map_location='cpu',
        weights_only=True)
    assert any(
        k.startswith('architecture.backbone.') for k in ckpt['state_dict'])


@pytest.mark.slow
def test_vanilla_teacher_config_trains_and_its_checkpoint_is_a_teacher(
        tmp_path):
    """configs/vanilla_<arch>_cifar100.py: plain CE training (one
    iteration); its checkpoint loads into the zoo network strictly."""
    data = make_cifar100(tmp_path / 'cifar', num_train=2, num_test=2)
    options = cifar_tiny_options(data, batch_size=2, max_epochs=1, iters=1)
    for key in RANDOM_TEACHER:  # not a distillation
        del options[key]
    with no_cifar_md5():
        runner = build_and_train('vanilla_wrn_16_1_cifar100.py',
                                 tmp_path / 'work', options)
    assert runner.iter == 1
    ckpt = torch.load(
        tmp_path / 'work' / 'epoch_1.pth',
        map_location='cpu',
        weights_only=True)
    model = build_zoo_model('wrn_16_1')
    model.load_state_dict(ckpt['state_dict'], strict=True)
