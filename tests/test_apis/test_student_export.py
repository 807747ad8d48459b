"""``mmkd_logits.apis.student.export_student`` on checkpoints written by
training.

The exported student must predict exactly what the student inside the
distillation checkpoint predicts, through mmpretrain's own APIs
(``get_model``; ``ImageClassificationInferencer`` and the runner's test loop
in a process that never imports this plugin).
"""
import json
import subprocess
import sys

import pytest
import torch
from mmengine.config import Config

from mmkd_logits.apis import student as api
from mmkd_logits.apis.evaluate import teacher_from_checkpoint
from tests.helpers.distill_runs import distill_run


def _distill_model(config):
    from mmengine.registry import MODELS, init_default_scope
    from mmengine.runner import load_checkpoint
    cfg = Config.fromfile(str(config['config']))
    init_default_scope('mmpretrain')
    # as mmengine's runner does with a top-level data_preprocessor
    cfg.model.setdefault('data_preprocessor', cfg.get('data_preprocessor'))
    model = MODELS.build(teacher_from_checkpoint(cfg.model))
    load_checkpoint(
        model,
        str(config['checkpoint']),
        map_location='cpu',
        strict=True,
        logger='silent')
    model.eval()
    return model


def _student_model(cfg_path, ckpt_path):
    from mmpretrain.apis import get_model
    return get_model(
        str(cfg_path), pretrained=str(ckpt_path), device='cpu').eval()


def _predictions(model, cfg_path):
    """pred_score [N, C] of ``model`` on the config's val set."""
    from mmengine.registry import init_default_scope
    from mmengine.runner import Runner
    init_default_scope('mmpretrain')
    loader = Runner.build_dataloader(
        Config.fromfile(str(cfg_path)).val_dataloader)
    scores = []
    with torch.no_grad():
        for batch in loader:
            scores += [s.pred_score for s in model.test_step(batch)]
    return torch.stack(scores)


# A process that never imports mmkd_logits: mmpretrain alone must run the
# exported student (config + checkpoint) with its inferencer and with the
# runner's test loop, as mmpretrain's tools/test.py does.
PLAIN_MMPRETRAIN = r'''
import json, sys
from mmengine.config import Config
from mmengine.runner import Runner
from mmpretrain.apis import ImageClassificationInferencer
cfg_path, ckpt, work_dir, out, *images = sys.argv[1:]
inferencer = ImageClassificationInferencer(model=cfg_path, pretrained=ckpt,
                                           device='cpu')
results = inferencer(images, batch_size=len(images))
cfg = Config.fromfile(cfg_path)
cfg.work_dir, cfg.load_from = work_dir, ckpt
metrics = Runner.from_cfg(cfg).test()
assert not any(m.split('.')[0] in ('mmkd_logits', 'mmrazor')
               for m in sys.modules), 'the plugin was imported'
json.dump(dict(scores=[r['pred_scores'].tolist() for r in results],
               top1=metrics['accuracy/top1']), open(out, 'w'))
'''


@pytest.fixture(scope='module')
def ldrld(tmp_path_factory):
    return distill_run('ldrld', tmp_path_factory.getbasetemp())


@pytest.fixture(scope='module')
def aekt(tmp_path_factory):
    return distill_run('aekt', tmp_path_factory.getbasetemp())


@pytest.mark.slow
def test_export_ldrld_plain_mmpretrain_student(ldrld, tmp_path):
    out = tmp_path / 'export' / 'student.pth'
    result = api.export_student(str(ldrld['checkpoint']), str(out))
    cfg_path = out.with_suffix('.py')
    assert result['checkpoint'] == str(out)
    assert result['config'] == str(cfg_path) and cfg_path.exists()

    ckpt = torch.load(out, map_location='cpu', weights_only=True)
    assert set(ckpt) == {'state_dict', 'meta'}
    assert not any(
        k.startswith(('teacher.', 'architecture.', 'distiller.'))
        for k in ckpt['state_dict'])
    assert ckpt['meta']['epoch'] == 1 and ckpt['meta']['num_classes'] == 1000
    assert 'ImageClassifier' in ckpt['meta']['cfg']

    cfg = Config.fromfile(str(cfg_path))
    assert cfg.model.type.endswith('ImageClassifier')
    assert cfg.model.data_preprocessor.num_classes == 1000
    assert 'Distill' not in str(cfg.get('val_cfg'))
    # an mmpretrain ResNet-18 needs nothing of the plugin (nor of mmrazor):
    # no hook, backend, transform or import of it is left
    text = cfg_path.read_text()
    assert 'mmkd_logits' not in text and 'mmrazor' not in text
    assert 'custom_imports' not in cfg and cfg.custom_hooks == []
    assert 'atomic_local' not in text
    assert 'teacher' not in cfg and 'student' not in cfg
    assert cfg.load_from == str(out)

    # bit-exact against the student inside the distillation checkpoint
    expected = _predictions(_distill_model(ldrld), cfg_path)
    got = _predictions(_student_model(cfg_path, out), cfg_path)
    assert torch.equal(got, expected)

    # mmpretrain's inferencer and test loop, in a process without the plugin
    images = sorted(str(p) for p in (ldrld['data'] / 'val').glob('*.JPEG'))
    result = tmp_path / 'result.json'
    proc = subprocess.run([
        sys.executable, '-c', PLAIN_MMPRETRAIN,
        str(cfg_path),
        str(out),
        str(tmp_path / 'test'),
        str(result), *images
    ],
                          cwd=str(tmp_path),
                          capture_output=True,
                          text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(result.read_text())
    scores = torch.tensor(result['scores'])
    # val.txt lists the images in this (sorted) order, 2 per class
    torch.testing.assert_close(scores, expected, rtol=1e-4, atol=1e-6)
    assert torch.equal(scores.argmax(1), expected.argmax(1))
    labels = torch.arange(4).repeat_interleave(2)
    top1 = float((expected.argmax(1) == labels).float().mean() * 100)
    assert result['top1'] == pytest.approx(top1)


@pytest.mark.slow
def test_export_aekt_fold_serial_head(aekt, tmp_path):
    folded = tmp_path / 'folded.pth'
    api.export_student(str(aekt['checkpoint']), str(folded), fold=True)
    cfg_path = folded.with_suffix('.py')
    cfg = Config.fromfile(str(cfg_path))
    assert cfg.model.head.type == 'LinearClsHead'
    assert 'custom_imports' not in cfg
    sd = torch.load(folded, weights_only=True)['state_dict']
    assert not any(k.startswith('head.ser') for k in sd)

    expected = _predictions(_distill_model(aekt), cfg_path)
    got = _predictions(_student_model(cfg_path, folded), cfg_path)
    torch.testing.assert_close(got, expected, rtol=1e-5, atol=1e-6)
    assert torch.equal(got.argmax(1), expected.argmax(1))

    # without folding: the SerialClsHead (and the plugin) are kept, exactly
    kept = tmp_path / 'kept.pth'
    api.export_student(
        str(aekt['checkpoint']), str(kept), config=str(aekt['config']))
    kept_cfg = Config.fromfile(str(kept.with_suffix('.py')))
    assert kept_cfg.model.head.type.endswith('SerialClsHead')
    assert kept_cfg.custom_imports.imports == ['mmkd_logits']
    # the plugin's general hooks stay, the distillation ones go
    hooks = [h['type'].rsplit('.', 1)[-1] for h in kept_cfg.custom_hooks]
    assert 'NonFiniteLossHook' in hooks
    assert not any('Teacher' in h or 'Distill' in h for h in hooks)
    source = torch.load(aekt['checkpoint'], weights_only=True)['state_dict']
    kept_sd = torch.load(kept, weights_only=True)['state_dict']
    assert list(kept_sd) == [
        k[len('architecture.'):] for k in source
        if k.startswith('architecture.')
    ]
    assert all(
        torch.equal(v, source[f'architecture.{k}'])
        for k, v in kept_sd.items())


@pytest.mark.slow
def test_errors(ldrld, tmp_path):
    out = tmp_path / 'x.pth'
    with pytest.raises(api.ExportError, match='no head.ser'):
        api.export_student(str(ldrld['checkpoint']), str(out), fold=True)
    teacher_only = tmp_path / 'teacher.pth'
    torch.save({'state_dict': {'teacher.w': torch.zeros(1)}}, teacher_only)
    with pytest.raises(api.ExportError, match='no student'):
        api.export_student(str(teacher_only), str(out))
    no_cfg = tmp_path / 'no_cfg.pth'
    torch.save(
        {'state_dict': {
            'architecture.head.fc.weight': torch.zeros(2, 2)
        }}, no_cfg)
    with pytest.raises(api.ExportError, match='pass the training config'):
        api.export_student(str(no_cfg), str(out))
    assert not out.exists()
    with pytest.raises(FileNotFoundError):
        api.export_student(str(tmp_path / 'missing.pth'), str(out))


def _distill_cfg(backbone, pipeline_type, hooks):
    return Config(
        dict(
            default_scope='mmpretrain',
            model=dict(
                _scope_='mmrazor',
                type='mmkd_logits.models.SingleTeacherDistill',
                architecture=dict(
                    type='mmpretrain.models.ImageClassifier',
                    backbone=dict(type=backbone),
                    head=dict(
                        type='LinearClsHead', num_classes=100,
                        in_channels=256)),
                teacher=dict(type='ImageClassifier'),
                teacher_ckpt='t.pth',
                distiller=dict(type='ConfigurableDistiller')),
            test_dataloader=dict(
                dataset=dict(
                    type='CIFAR100',
                    pipeline=[
                        dict(type=pipeline_type, on_error='raise'),
                        dict(type='PackInputs')
                    ])),
            default_hooks=dict(
                checkpoint=dict(
                    type='CheckpointHook',
                    backend_args=dict(backend='atomic_local'))),
            custom_hooks=hooks,
            val_cfg=dict(
                type='mmkd_logits.engine.SingleTeacherDistillValLoop')))


def test_student_config_keeps_the_plugin_only_when_needed():
    hooks = [
        dict(type='mmkd_logits.engine.hooks.WeightsOnlyCheckpointHook'),
        dict(type='mmkd_logits.engine.TeacherCheckHook')
    ]
    # the CIFAR zoo backbone lives in the plugin
    cfg = _distill_cfg('resnet8x4',
                       'mmkd_logits.datasets.CheckedLoadImageFromFile', hooks)
    assert api.needs_plugin(api.student_config(cfg, keep_plugin=False))
    out = api.student_config(cfg)
    assert out.custom_imports.imports == ['mmkd_logits']
    assert [h['type'] for h in out.custom_hooks
            ] == ['mmkd_logits.engine.hooks.WeightsOnlyCheckpointHook']
    assert out.test_dataloader.dataset.pipeline[0] == dict(
        type='mmkd_logits.datasets.CheckedLoadImageFromFile', on_error='raise')
    assert out.val_cfg == {} and out.model._scope_ == 'mmpretrain'
    assert 'teacher_ckpt' not in str(out.model)
    # an mmpretrain backbone: nothing of the plugin is left; its checked
    # image loader becomes mmcv's
    plain = api.student_config(
        _distill_cfg('ResNet', 'CheckedLoadImageFromFile', hooks))
    assert 'custom_imports' not in plain and plain.custom_hooks == []
    assert plain.test_dataloader.dataset.pipeline[0] == dict(
        type='LoadImageFromFile')
    assert 'backend_args' not in plain.default_hooks.checkpoint
    assert not api.needs_plugin(plain)
    # and the reverse choices can be forced
    forced = api.student_config(
        _distill_cfg('ResNet', 'LoadImageFromFile', hooks), keep_plugin=True)
    assert forced.custom_imports.imports == ['mmkd_logits']
