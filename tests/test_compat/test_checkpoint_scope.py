"""What the safe checkpoint loader changes for other code in the process:
a runner resuming trusts only its own work dir, only while it resumes;
local loads do not print mmengine's per-load backend line."""
import shutil

import pytest
import torch
from mmengine.model import BaseModel
from mmengine.runner import Runner
from mmengine.runner.checkpoint import CheckpointLoader
from torch import nn

import mmkd_logits  # noqa: F401
from mmkd_logits.compat import UntrustedCheckpointError, checkpoint


class _Toy(BaseModel):

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(2, 1)

    def forward(self, inputs, data_samples=None, mode='tensor'):
        out = self.fc(inputs)
        return dict(loss=out.sum()) if mode == 'loss' else out


def _runner(work_dir):
    return Runner(
        model=_Toy(),
        work_dir=str(work_dir),
        default_scope='mmengine',
        train_dataloader=dict(
            dataset=[dict(inputs=torch.ones(2))] * 4,
            batch_size=2,
            sampler=dict(type='DefaultSampler', shuffle=False),
            collate_fn=dict(type='default_collate')),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.1)),
        train_cfg=dict(by_epoch=True, max_epochs=1),
        default_hooks=dict(checkpoint=dict(type='CheckpointHook', interval=1)),
        experiment_name=f'scope_{id(work_dir)}')


@pytest.fixture
def trained(tmp_path, monkeypatch):
    """A plain mmengine run (no hook of the plugin): its checkpoint holds
    pickled log buffers."""
    monkeypatch.delenv(checkpoint.TRUST_ENV, raising=False)
    checkpoint.reset_trust()
    runner = _runner(tmp_path / 'work')
    runner.train()
    ckpt = tmp_path / 'work' / 'epoch_1.pth'
    with pytest.raises(Exception):
        torch.load(ckpt, weights_only=True)  # needs full unpickling
    return runner, ckpt


@pytest.mark.slow
def test_resume_trusts_the_runners_own_work_dir(trained, tmp_path):
    runner, ckpt = trained
    runner.resume(str(ckpt))
    assert runner.train_loop.epoch == 1 and runner.iter == 2
    # only while resuming
    assert not checkpoint.is_trusted(str(ckpt))


@pytest.mark.slow
def test_load_from_and_other_dirs_stay_weights_only(trained, tmp_path):
    runner, ckpt = trained
    # load_from: weights from elsewhere, even in the work dir
    with pytest.raises(UntrustedCheckpointError, match='--trust-checkpoint'):
        runner.load_checkpoint(str(ckpt))
    # resuming another run's checkpoint is not resuming one's own
    elsewhere = tmp_path / 'elsewhere' / 'epoch_1.pth'
    elsewhere.parent.mkdir()
    shutil.copy(ckpt, elsewhere)
    with pytest.raises(
            UntrustedCheckpointError, match='MMKD_TRUST_CHECKPOINTS=1'):
        runner.resume(str(elsewhere))


def test_local_loads_do_not_print_the_backend_line(tmp_path, capsys):
    path = tmp_path / 'w.pth'
    torch.save({'state_dict': {'w': torch.ones(1)}}, path)
    loaded = CheckpointLoader.load_checkpoint(str(path), 'cpu', logger=None)
    assert torch.equal(loaded['state_dict']['w'], torch.ones(1))
    assert 'Loads checkpoint by' not in capsys.readouterr().out
    # other schemes still go through mmengine (and its log line)
    assert CheckpointLoader._get_checkpoint_loader('https://x/y.pth') is \
        not checkpoint.load_from_local
