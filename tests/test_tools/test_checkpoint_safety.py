"""``load_from``: a checkpoint that would run code when unpickled is refused
(weights-only loading) with a message saying how to opt in for a trusted
file; an opted-in file loads. (``teacher_ckpt``: test_teacher_ckpt.py; the
run's own checkpoints resume without any opt-in: test_train.py and
test_interrupted_training.py.)"""
import argparse
import os

import pytest
import torch
from mmengine.config import Config

import mmkd_logits  # noqa: F401
from mmkd_logits.compat import UntrustedCheckpointError, checkpoint
from tests.helpers.datasets import make_imagenet
from tests.helpers.training import (CONFIGS, imagenet_cli_options,
                                    imagenet_tiny_options, run_tool)

KD = 'kd_r34_r18_imagenet.py'


class _Exploit:
    """Unpickling this runs a shell command: a malicious checkpoint."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (os.system, (f'touch {self.marker}', ))


@pytest.fixture(scope='module')
def data(tmp_path_factory):
    return make_imagenet(
        tmp_path_factory.mktemp('imagenet'),
        num_classes=4,
        per_class=1,
        val_per_class=1)


@pytest.mark.slow
def test_train_tool_refuses_malicious_load_from(tmp_path, data):
    marker = tmp_path / 'pwned'
    evil = tmp_path / 'evil.pth'
    torch.save({'state_dict': {}, 'meta': _Exploit(marker)}, evil)
    work = tmp_path / 'work'
    opts = imagenet_cli_options(data, batch_size=2, iters=1)
    proc = run_tool(
        'train.py',
        f'configs/{KD}',
        '--work-dir',
        work,
        '--cfg-options',
        f'load_from={evil}',
        *opts,
        env={checkpoint.TRUST_ENV: ''})
    out = proc.stdout
    assert proc.returncode != 0, out[-3000:]
    assert 'UntrustedCheckpointError' in out and str(evil) in out
    assert f'--trust-checkpoint {evil}' in out
    assert f'{checkpoint.TRUST_ENV}=1' in out
    assert not marker.exists()  # the payload never ran
    assert not list(work.glob('*.pth'))  # refused before training


def test_runner_load_from_needs_opt_in(tmp_path, data, monkeypatch):
    """The same policy for in-process runs (Runner.from_cfg)."""
    from mmengine.runner import Runner
    monkeypatch.delenv(checkpoint.TRUST_ENV, raising=False)
    legacy = tmp_path / 'legacy.pth'  # a harmless pickled object
    torch.save({'state_dict': {}, 'meta': argparse.Namespace(epoch=3)}, legacy)
    cfg = Config.fromfile(str(CONFIGS / KD))
    cfg.merge_from_dict(imagenet_tiny_options(data, iters=1))
    cfg.work_dir = str(tmp_path / 'work')
    cfg.load_from = str(legacy)
    runner = Runner.from_cfg(cfg)
    with pytest.raises(UntrustedCheckpointError, match='--trust-checkpoint'):
        runner.train()
    assert runner.iter == 0
    checkpoint.trust_file(str(legacy))
    try:
        loaded = runner.load_checkpoint(str(legacy))
    finally:
        checkpoint.reset_trust()
    assert loaded['meta'].epoch == 3
