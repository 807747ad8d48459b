"""mmkd_logits.apis.evaluate: the test-run config of a checkpoint. (The
evaluation itself runs in tests/test_tools/test_train.py.)"""
from mmengine.config import ConfigDict

from mmkd_logits.apis.evaluate import (evaluation_config,
                                       teacher_from_checkpoint)
from mmkd_logits.models import LogitDistiller
from tests.helpers.training import CONFIGS


def test_teacher_from_checkpoint():
    ours = ConfigDict(
        teacher_ckpt='t.pth', distiller=dict(type=LogitDistiller))
    assert teacher_from_checkpoint(ours) is ours
    assert ours.teacher_ckpt is None and ours.distiller.allow_random_teacher
    by_name = ConfigDict(
        teacher_ckpt='t.pth', distiller=dict(type='LogitDistiller'))
    assert teacher_from_checkpoint(by_name).distiller.allow_random_teacher
    # mmrazor's own distiller has no such argument: untouched
    razor = ConfigDict(
        teacher_ckpt='t.pth', distiller=dict(type='ConfigurableDistiller'))
    assert 'allow_random_teacher' not in teacher_from_checkpoint(
        razor).distiller
    assert razor.teacher_ckpt is None
    plain = ConfigDict(type='ImageClassifier')
    assert teacher_from_checkpoint(plain) == dict(type='ImageClassifier')


def test_evaluation_config(tmp_path):
    path = str(CONFIGS / 'dkd_r34_r18_imagenet.py')
    cfg = evaluation_config(
        path,
        cfg_options={
            'load_from': 'x.pth',
            'test_dataloader.batch_size': 3
        })
    assert cfg.work_dir == './work_dirs/dkd_r34_r18_imagenet'
    assert cfg.load_from is None and cfg.launcher == 'none'
    assert cfg.model.teacher_ckpt is None
    assert cfg.model.distiller.allow_random_teacher is True
    assert cfg.test_dataloader.batch_size == 3
    assert evaluation_config(path, str(tmp_path)).work_dir == str(tmp_path)
