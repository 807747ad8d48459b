"""DistillLossWarmupHook: factor schedule, wrapped models, resume."""
import copy
from types import SimpleNamespace

import pytest
import torch
from mmengine.logging import MessageHub
from mmengine.model import BaseModel
from mmengine.registry import HOOKS as MMENGINE_HOOKS
from mmengine.runner import Runner
from torch import nn
from torch.utils.data import Dataset

import mmkd_logits  # noqa: F401
from mmkd_logits.engine.hooks import DistillLossWarmupHook
from mmrazor.registry import HOOKS


class _Loss(nn.Module):

    def __init__(self, loss_weight=1.0):
        super().__init__()
        self.loss_weight = loss_weight


class _Distiller(nn.Module):

    def __init__(self, **weights):
        super().__init__()
        self.distill_losses = nn.ModuleDict(
            {k: _Loss(v) for k, v in weights.items()})


class _ToyDistill(BaseModel):
    """Minimal stand-in with the attribute path of SingleTeacherDistill."""

    def __init__(self, **weights):
        super().__init__()
        self.w = nn.Parameter(torch.ones(2))
        self.distiller = _Distiller(**weights)

    def forward(self, inputs, data_samples=None, mode='tensor'):
        x = torch.stack(inputs)
        out = (x * self.w).sum()
        losses = {
            name: m.loss_weight * out
            for name, m in self.distiller.distill_losses.items()
        }
        return losses if mode == 'loss' else out


class _Data(Dataset):

    def __len__(self):
        return 4

    def __getitem__(self, i):
        return dict(inputs=torch.full((2, ), float(i)))


def _fake_runner(model, epoch=0, it=0, iters_per_epoch=5):
    return SimpleNamespace(
        model=model, epoch=epoch, iter=it,
        train_dataloader=[None] * iters_per_epoch,
        message_hub=MessageHub.get_instance('test_distill_warmup_hook'))


# ------------------------------------------------------------------ units
def test_registered():
    assert HOOKS.get('DistillLossWarmupHook') is DistillLossWarmupHook
    hook = MMENGINE_HOOKS.build(
        dict(type='mmrazor.DistillLossWarmupHook', warmup_epochs=1))
    assert isinstance(hook, DistillLossWarmupHook)


def test_by_epoch_factor_is_one_based():
    model = _ToyDistill(loss_a=2.0, loss_b=0.5)
    hook = DistillLossWarmupHook(warmup_epochs=20, by_epoch=True)
    runner = _fake_runner(model)
    hook.before_train(runner)
    for epoch, expected in [(0, 0.05), (1, 0.10), (9, 0.5), (19, 1.0),
                            (30, 1.0)]:
        runner.epoch = epoch
        hook.before_train_iter(runner, 0)
        assert hook.factor == pytest.approx(expected)
        losses = model.distiller.distill_losses
        assert losses['loss_a'].loss_weight == pytest.approx(2.0 * expected)
        assert losses['loss_b'].loss_weight == pytest.approx(0.5 * expected)
        assert runner.message_hub.get_scalar(
            'train/distill_warmup_factor').current() == pytest.approx(
                expected)
    hook.after_train(runner)
    assert model.distiller.distill_losses['loss_a'].loss_weight == 2.0


def test_by_iter_factor():
    model = _ToyDistill(loss_kd=1.0)
    hook = DistillLossWarmupHook(warmup_epochs=2, by_epoch=False)
    runner = _fake_runner(model, iters_per_epoch=5)
    for it, expected in [(0, 0.1), (4, 0.5), (5, 0.6), (9, 1.0), (50, 1.0)]:
        runner.iter = it
        hook.before_train_iter(runner, it)
        assert hook.factor == pytest.approx(expected)
        assert model.distiller.distill_losses[
            'loss_kd'].loss_weight == pytest.approx(expected)


def test_zero_warmup_and_loss_names():
    model = _ToyDistill(loss_a=2.0, loss_b=3.0)
    runner = _fake_runner(model)
    DistillLossWarmupHook(warmup_epochs=0).before_train_iter(runner, 0)
    assert model.distiller.distill_losses['loss_a'].loss_weight == 2.0
    hook = DistillLossWarmupHook(warmup_epochs=4, loss_names=['loss_b'])
    hook.before_train_iter(runner, 0)
    assert model.distiller.distill_losses['loss_a'].loss_weight == 2.0
    assert model.distiller.distill_losses['loss_b'].loss_weight == 0.75


def test_wrapped_model_is_unwrapped():
    from mmengine.model import MMDistributedDataParallel
    model = _ToyDistill(loss_a=1.0)
    wrapper = MMDistributedDataParallel.__new__(MMDistributedDataParallel)
    nn.Module.__init__(wrapper)
    wrapper.module = model
    hook = DistillLossWarmupHook(warmup_epochs=4)
    hook.before_train_iter(_fake_runner(wrapper, epoch=1), 0)
    assert model.distiller.distill_losses['loss_a'].loss_weight == 0.5


def test_errors():
    with pytest.raises(ValueError, match='warmup_epochs'):
        DistillLossWarmupHook(warmup_epochs=-1)
    with pytest.raises(ValueError, match='by_epoch'):
        DistillLossWarmupHook(by_epoch='yes')
    with pytest.raises(ValueError, match='distiller'):
        DistillLossWarmupHook().before_train_iter(
            _fake_runner(nn.Linear(2, 2)), 0)
    with pytest.raises(ValueError, match='loss_x'):
        DistillLossWarmupHook(loss_names=['loss_x']).before_train_iter(
            _fake_runner(_ToyDistill(loss_a=1.0)), 0)
    model = _ToyDistill(loss_a=1.0)
    del model.distiller.distill_losses['loss_a'].loss_weight
    with pytest.raises(ValueError, match='loss_weight'):
        DistillLossWarmupHook().before_train_iter(_fake_runner(model), 0)


# ------------------------------------------------------------ with Runner
class _Record(DistillLossWarmupHook.__mro__[1]):  # an mmengine Hook
    """Records the loss weight each iteration actually trains with."""
    priority = 'LOW'

    def __init__(self, log):
        self.log = log

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        w = runner.model.distiller.distill_losses['loss_a'].loss_weight
        self.log.append((runner.epoch, runner.iter, w))


def _runner(work_dir, name, max_epochs, by_epoch, log, resume=None):
    cfg = dict(
        model=_ToyDistill(loss_a=2.0),
        work_dir=str(work_dir),
        experiment_name=name,
        train_dataloader=dict(
            dataset=_Data(),
            sampler=dict(type='DefaultSampler', shuffle=False),
            batch_size=2,
            num_workers=0),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.0)),
        train_cfg=dict(by_epoch=True, max_epochs=max_epochs),
        default_hooks=dict(
            checkpoint=dict(type='CheckpointHook', interval=1),
            logger=dict(type='LoggerHook', interval=1)),
        custom_hooks=[
            DistillLossWarmupHook(warmup_epochs=3, by_epoch=by_epoch),
            _Record(log)
        ],
        default_scope='mmengine',
        env_cfg=dict(dist_cfg=dict(backend='gloo')),
    )
    if resume is not None:
        cfg.update(load_from=str(resume), resume=True)
    return Runner(**copy.copy(cfg))


@pytest.mark.parametrize('by_epoch', [True, False])
def test_factor_across_resume(tmp_path, monkeypatch, by_epoch):
    # the checkpoints are the ones this test writes
    monkeypatch.setenv('MMKD_TRUST_CHECKPOINTS', '1')
    straight, resumed = [], []
    _runner(tmp_path / 'a', 'a', 3, by_epoch, straight).train()
    _runner(tmp_path / 'b', 'b1', 1, by_epoch, []).train()
    ckpt = tmp_path / 'b' / 'epoch_1.pth'
    assert ckpt.exists()
    runner = _runner(tmp_path / 'b', 'b2', 3, by_epoch, resumed, resume=ckpt)
    runner.train()
    # 2 iterations per epoch; the resumed run starts at epoch 2 (1-based)
    assert [w for _, _, w in straight[2:]] == pytest.approx(
        [w for _, _, w in resumed])
    if by_epoch:
        expected = [2 / 3, 2 / 3, 4 / 3, 4 / 3, 2, 2]  # 2 × (1/3, 2/3, 1)
    else:
        expected = [2 * k / 6 for k in range(1, 7)]
    assert [w for _, _, w in straight] == pytest.approx(expected)
    # logged, and the base weight is restored after training
    assert runner.message_hub.get_scalar(
        'train/distill_warmup_factor').current() == pytest.approx(1.0)
    assert runner.model.distiller.distill_losses['loss_a'].loss_weight == 2.0
