"""Tests of ``tools/export_student.py`` on checkpoints written by training.

The exported student must predict exactly what the student inside the
distillation checkpoint predicts, through mmpretrain's own APIs
(``get_model``; ``ImageClassificationInferencer`` and the runner's test loop
in a process that never imports this plugin).
"""
import importlib.util
import json
import subprocess
import sys

import pytest
import torch
from mmengine.config import Config

import mmkd_logits  # noqa: F401
from tests.helpers.distill_runs import distill_run
from tests.helpers.training import TOOLS


def _load_tool(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


export = _load_tool('export_student', TOOLS / 'export_student.py')


def _distill_model(config):
    from mmengine.registry import MODELS, init_default_scope
    from mmengine.runner import load_checkpoint
    cfg = Config.fromfile(str(config['config']))
    init_default_scope('mmpretrain')
    cfg.model.teacher_ckpt = None
    model = MODELS.build(cfg.model)
    load_checkpoint(model, str(config['checkpoint']), map_location='cpu',
                    strict=True, logger='silent')
    model.eval()
    return model


def _student_model(cfg_path, ckpt_path):
    from mmpretrain.apis import get_model
    return get_model(str(cfg_path), pretrained=str(ckpt_path),
                     device='cpu').eval()


def _predictions(model, cfg_path):
    """pred_score [N, C] of ``model`` on the config's val set."""
    from mmengine.registry import init_default_scope
    from mmengine.runner import Runner
    init_default_scope('mmpretrain')
    loader = Runner.build_dataloader(Config.fromfile(str(cfg_path))
                                     .val_dataloader)
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


def test_export_ldrld_plain_mmpretrain_student(ldrld, tmp_path):
    out = tmp_path / 'export' / 'student.pth'
    assert export.main([str(ldrld['checkpoint']), str(out)]) == 0
    cfg_path = out.with_suffix('.py')
    assert out.exists() and cfg_path.exists()

    ckpt = torch.load(out, map_location='cpu', weights_only=True)
    assert set(ckpt) == {'state_dict', 'meta'}
    assert not any(k.startswith(('teacher.', 'architecture.', 'distiller.'))
                   for k in ckpt['state_dict'])
    assert ckpt['meta']['epoch'] == 1 and ckpt['meta']['num_classes'] == 1000
    assert 'ImageClassifier' in ckpt['meta']['cfg']

    cfg = Config.fromfile(str(cfg_path))
    assert cfg.model.type == 'ImageClassifier'
    assert cfg.model.data_preprocessor.num_classes == 1000
    assert 'Distill' not in str(cfg.get('val_cfg'))
    assert not any('Distill' in str(h) for h in cfg.custom_hooks)
    # an mmpretrain ResNet-18 needs nothing of the plugin
    assert 'custom_imports' not in cfg
    assert 'atomic_local' not in cfg_path.read_text()
    assert 'teacher' not in cfg and 'student' not in cfg
    assert cfg.load_from == str(out)

    # bit-exact against the student inside the distillation checkpoint
    expected = _predictions(_distill_model(ldrld), cfg_path)
    got = _predictions(_student_model(cfg_path, out), cfg_path)
    assert torch.equal(got, expected)

    # mmpretrain's inferencer and test loop, in a process without the plugin
    images = sorted(str(p) for p in (ldrld['data'] / 'val').glob('*.JPEG'))
    result = tmp_path / 'result.json'
    proc = subprocess.run(
        [sys.executable, '-c', PLAIN_MMPRETRAIN, str(cfg_path), str(out),
         str(tmp_path / 'test'), str(result), *images], cwd=str(tmp_path),
        capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(result.read_text())
    scores = torch.tensor(result['scores'])
    # val.txt lists the images in this (sorted) order, 2 per class
    torch.testing.assert_close(scores, expected, rtol=1e-4, atol=1e-6)
    assert torch.equal(scores.argmax(1), expected.argmax(1))
    labels = torch.arange(4).repeat_interleave(2)
    top1 = float((expected.argmax(1) == labels).float().mean() * 100)
    assert result['top1'] == pytest.approx(top1)


def test_export_aekt_fold_serial_head(aekt, tmp_path):
    folded = tmp_path / 'folded.pth'
    assert export.main([str(aekt['checkpoint']), str(folded),
                        '--fold-serial-head']) == 0
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
    assert export.main([str(aekt['checkpoint']), str(kept), '--config',
                        str(aekt['config'])]) == 0
    kept_cfg = Config.fromfile(str(kept.with_suffix('.py')))
    assert kept_cfg.model.head.type == 'SerialClsHead'
    assert kept_cfg.custom_imports.imports == ['mmkd_logits']
    source = torch.load(aekt['checkpoint'], weights_only=True)['state_dict']
    kept_sd = torch.load(kept, weights_only=True)['state_dict']
    assert list(kept_sd) == [k[len('architecture.'):] for k in source
                             if k.startswith('architecture.')]
    assert all(torch.equal(v, source[f'architecture.{k}'])
               for k, v in kept_sd.items())


def test_errors(ldrld, tmp_path, capsys):
    out = tmp_path / 'x.pth'
    assert export.main([str(ldrld['checkpoint']), str(out),
                        '--fold-serial-head']) == 1
    assert 'no head.ser' in capsys.readouterr().err
    teacher_only = tmp_path / 'teacher.pth'
    torch.save({'state_dict': {'teacher.w': torch.zeros(1)}}, teacher_only)
    assert export.main([str(teacher_only), str(out)]) == 1
    assert 'no student' in capsys.readouterr().err
    no_cfg = tmp_path / 'no_cfg.pth'
    torch.save({'state_dict': {'architecture.head.fc.weight':
                               torch.zeros(2, 2)}}, no_cfg)
    assert export.main([str(no_cfg), str(out)]) == 1
    assert '--config' in capsys.readouterr().err
    assert not out.exists()
    assert export.main([str(tmp_path / 'missing.pth'), str(out)]) == 1


def test_student_config_keeps_plugin_when_needed():
    cfg = Config(dict(
        default_scope='mmpretrain',
        custom_imports=dict(imports=['mmkd_logits'],
                            allow_failed_imports=False),
        model=dict(_scope_='mmrazor', type='SingleTeacherDistill',
                   architecture=dict(
                       type='ImageClassifier',
                       backbone=dict(type='resnet8x4'),
                       head=dict(type='LinearClsHead', num_classes=100,
                                 in_channels=256)),
                   teacher=dict(type='ImageClassifier'),
                   distiller=dict(type='ConfigurableDistiller')),
        custom_hooks=[dict(type='mmrazor.WeightsOnlyCheckpointHook'),
                      dict(type='mmrazor.DistillLossWarmupHook')],
        val_cfg=dict(type='mmrazor.SingleTeacherDistillValLoop')))
    out = export.student_config(cfg)
    # the CIFAR zoo backbone lives in the plugin
    assert out.custom_imports.imports == ['mmkd_logits']
    assert [h['type'] for h in out.custom_hooks] == [
        'mmrazor.WeightsOnlyCheckpointHook']
    assert out.val_cfg == {} and out.model._scope_ == 'mmpretrain'
    plain = export.student_config(cfg, keep_plugin=False)
    assert 'custom_imports' not in plain and plain.custom_hooks == []
