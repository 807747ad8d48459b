"""teacher_ckpt: a plain mmpretrain checkpoint loads; one that does not fit
the teacher is refused with the offending keys named."""
import pytest
import torch
from mmengine.config import Config

import mmkd_logits  # noqa: F401
from mmkd_logits.compat import TeacherCheckpointError
from tests.helpers.training import CONFIGS


def _model_cfg(teacher_ckpt):
    cfg = Config.fromfile(str(CONFIGS / 'kd_r34_r18_imagenet.py'))
    cfg.model.teacher_ckpt = str(teacher_ckpt)
    return cfg.model


def _classifier(depth: int):
    from mmpretrain.registry import MODELS
    cfg = Config.fromfile(
        str(CONFIGS / f'_base_/models/imagenet/resnet{depth}.py'))
    return MODELS.build(cfg.model)


def _build(model_cfg):
    from mmrazor.registry import MODELS
    return MODELS.build(model_cfg)


def test_plain_mmpretrain_checkpoint_loads(tmp_path):
    teacher = _classifier(34)
    path = tmp_path / 'resnet34.pth'
    # the layout of mmpretrain's published checkpoints: state_dict + meta
    torch.save(
        {
            'state_dict': teacher.state_dict(),
            'meta': {
                'mmpretrain_version': '1.2.0',
                'epoch': 100
            }
        }, path)
    algo = _build(_model_cfg(path))
    got = algo.teacher.state_dict()
    for k, v in teacher.state_dict().items():
        torch.testing.assert_close(got[k], v, msg=k)
    # and it really is the checkpoint, not a coincidence of init
    assert not torch.equal(algo.student.state_dict()['head.fc.weight'],
                           got['head.fc.weight'])


def test_checkpoint_of_another_architecture_is_refused(tmp_path):
    path = tmp_path / 'resnet18.pth'
    torch.save({'state_dict': _classifier(18).state_dict()}, path)
    with pytest.raises(TeacherCheckpointError) as err:
        _build(_model_cfg(path))
    msg = str(err.value)
    assert 'missing keys' in msg
    assert 'backbone.layer1.2.conv1.weight' in msg  # ResNet-34 has 3 blocks


def test_checkpoint_with_extra_prefix_is_refused(tmp_path):
    sd = {
        'module.model.' + k: v
        for k, v in _classifier(34).state_dict().items()
    }
    path = tmp_path / 'prefixed.pth'
    torch.save(sd, path)
    with pytest.raises(TeacherCheckpointError, match='unexpected keys'):
        _build(_model_cfg(path))


def test_mdistiller_layout_gets_conversion_advice(tmp_path):
    path = tmp_path / 'ckpt_epoch_240.pth'
    torch.save({'model': {'conv1.weight': torch.zeros(1)}, 'epoch': 240}, path)
    with pytest.raises(
            TeacherCheckpointError, match='convert_mdistiller_ckpt'):
        _build(_model_cfg(path))


# ---------------------------------------------------- untrusted pickles
class _Exploit:
    """Unpickling this runs a shell command: a malicious checkpoint."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        import os
        return (os.system, (f'touch {self.marker}', ))


def test_malicious_teacher_checkpoint_is_refused(tmp_path, monkeypatch):
    from mmkd_logits.compat import UntrustedCheckpointError
    monkeypatch.delenv('MMKD_TRUST_CHECKPOINTS', raising=False)
    marker = tmp_path / 'pwned'
    path = tmp_path / 'evil_teacher.pth'
    torch.save(
        {
            'state_dict': _classifier(34).state_dict(),
            'meta': _Exploit(marker)
        }, path)
    with pytest.raises(UntrustedCheckpointError) as err:
        _build(_model_cfg(path))
    msg = str(err.value)
    assert str(path) in msg and 'could execute code' in msg.replace('\n', ' ')
    assert f'--trust-checkpoint {path}' in msg
    assert 'MMKD_TRUST_CHECKPOINTS=1' in msg
    assert not marker.exists()  # nothing was executed


def test_trusted_legacy_teacher_checkpoint_loads(tmp_path, monkeypatch):
    """A pickled (harmless) object needs the opt-in; then it loads."""
    import argparse

    from mmkd_logits.compat import UntrustedCheckpointError, checkpoint
    monkeypatch.delenv('MMKD_TRUST_CHECKPOINTS', raising=False)
    teacher = _classifier(34)
    path = tmp_path / 'legacy_teacher.pth'
    torch.save(
        {
            'state_dict': teacher.state_dict(),
            'meta': argparse.Namespace(epoch=100)
        }, path)
    with pytest.raises(UntrustedCheckpointError):
        _build(_model_cfg(path))
    checkpoint.trust_file(str(path))
    try:
        algo = _build(_model_cfg(path))
    finally:
        checkpoint.reset_trust()
    torch.testing.assert_close(algo.teacher.state_dict()['head.fc.weight'],
                               teacher.state_dict()['head.fc.weight'])
    # the environment variable opts in for every file
    monkeypatch.setenv('MMKD_TRUST_CHECKPOINTS', '1')
    _build(_model_cfg(path))
