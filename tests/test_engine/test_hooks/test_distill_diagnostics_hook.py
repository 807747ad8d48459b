"""DistillDiagnosticsHook: per-term losses and teacher top-1 in the logs."""
from types import SimpleNamespace

import pytest
import torch
from mmengine.logging import MessageHub
from mmengine.registry import HOOKS as MMENGINE_HOOKS
from mmpretrain.structures import DataSample
from torch import nn

import mmkd_logits  # noqa: F401
from mmkd_logits.engine.hooks import DistillDiagnosticsHook
from mmkd_logits.models.losses import AEKTLoss, LDRLDLoss, SDDLoss
from mmrazor.registry import HOOKS
from tests.helpers.distill_runs import distill_run


class _Head(nn.Module):

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 3)


class _Teacher(nn.Module):

    def __init__(self):
        super().__init__()
        self.head = _Head()

    def forward(self, x):
        return self.head.fc(x)


class _Model(nn.Module):
    """The attribute paths of SingleTeacherDistill that the hook reads."""

    def __init__(self, **losses):
        super().__init__()
        self.teacher = _Teacher()
        self.distiller = nn.Module()
        self.distiller.distill_losses = nn.ModuleDict(losses)


def _runner(model, it=0, name='diag'):
    return SimpleNamespace(model=model, iter=it,
                           message_hub=MessageHub.get_instance(name))


def _batch(labels):
    return dict(inputs=[torch.zeros(1)] * len(labels),
                data_samples=[DataSample().set_gt_label(y) for y in labels])


def test_registered_and_in_distill_runtime():
    assert HOOKS.get('DistillDiagnosticsHook') is DistillDiagnosticsHook
    hook = MMENGINE_HOOKS.build(
        dict(type='mmrazor.DistillDiagnosticsHook', interval=2))
    assert isinstance(hook, DistillDiagnosticsHook) and hook.interval == 2
    from mmengine.config import Config
    from tests.helpers.training import CONFIGS
    cfg = Config.fromfile(str(CONFIGS / '_base_' / 'distill_runtime.py'))
    types = [h['type'] for h in cfg.custom_hooks]
    assert 'mmrazor.DistillDiagnosticsHook' in types
    with pytest.raises(ValueError, match='interval'):
        DistillDiagnosticsHook(interval=0)


def test_logs_terms_stats_and_teacher_top1():
    torch.manual_seed(0)
    ldrld, aekt = LDRLDLoss(tau=2.0, topk=2), AEKTLoss(loss_weight=0.5)
    model = _Model(loss_ldrld=ldrld, loss_aekt=aekt,
                   loss_kd=nn.Identity())  # a loss without last_terms
    runner = _runner(model, name='diag_terms')
    hook = DistillDiagnosticsHook()
    hook.before_train(runner)
    x = torch.randn(4, 4)
    logits_t = model.teacher(x)  # recorded by the forward hook
    labels = logits_t.argmax(-1).tolist()
    labels[0] = (labels[0] + 1) % 3  # 3 of 4 right: 75 %
    zs = torch.randn(4, 3, requires_grad=True)
    loss_l = ldrld(zs, logits_t)
    loss_a = aekt(zs, logits_t, torch.tensor(labels))
    hook.after_train_iter(runner, 0, _batch(labels))

    hub = runner.message_hub

    def get(key):
        return hub.get_scalar(f'train/diag/{key}').current()

    assert get('loss_ldrld/local') + get('loss_ldrld/rntk') == \
        pytest.approx(float(loss_l), rel=1e-5)
    assert get('loss_aekt/tckd') + get('loss_aekt/nckd') == \
        pytest.approx(float(loss_a), rel=1e-5)
    assert 0 < get('loss_aekt/ratio') <= 10.0
    assert get('teacher_top1') == pytest.approx(75.0)
    assert not any('loss_kd' in k for k in hub.log_scalars)
    # values are consumed: nothing stale is logged in the next iteration
    assert ldrld.last_terms == {} and aekt.last_stats == {}
    hook.after_train(runner)
    assert hook._handle is None
    model.teacher(x)
    assert hook._teacher_out is None


def test_interval_and_missing_teacher_module():
    loss = SDDLoss(base='kd')
    model = _Model(loss_sdd=loss)
    runner = _runner(model, name='diag_interval')
    hook = DistillDiagnosticsHook(interval=2, teacher_logits='head.nope')
    hook.before_train(runner)  # warns, no teacher accuracy
    assert hook._handle is None
    zt = torch.randn(3, 5, 4)
    loss(torch.randn(3, 5, 4), zt, torch.tensor([0, 1, 2]))
    hook.after_train_iter(runner, 0, _batch([0, 1, 2]))  # iter 1: skipped
    assert 'train/diag/loss_sdd/consistent' not in \
        runner.message_hub.log_scalars
    assert loss.last_terms == {}  # consumed anyway
    runner.iter = 1
    out = loss(torch.randn(3, 5, 4), zt, torch.tensor([0, 1, 2]))
    hook.after_train_iter(runner, 1, _batch([0, 1, 2]))
    hub = runner.message_hub
    parts = [hub.get_scalar(f'train/diag/loss_sdd/{k}').current()
             for k in ('consistent', 'complementary')]
    assert sum(parts) == pytest.approx(float(out), rel=1e-5)
    frac = hub.get_scalar('train/diag/loss_sdd/complementary_frac').current()
    assert 0.0 <= frac <= 1.0
    assert 'train/diag/teacher_top1' not in hub.log_scalars


@pytest.mark.parametrize('name,terms,stats', [
    ('ldrld', ('local', 'rntk'), ()),
    ('sdd', ('consistent', 'complementary'), ('complementary_frac', )),
])
def test_training_run_logs_diagnostics(tmp_path_factory, name, terms, stats):
    """A real run of the config: the scalars reach the message hub (hence
    the logger and the visualizer backends) and add up to the loss."""
    run = distill_run(name, tmp_path_factory.getbasetemp())
    scalars = run['scalars']
    loss_name = f'loss_{name}'
    total = sum(scalars[f'train/diag/{loss_name}/{t}'] for t in terms)
    assert total == pytest.approx(scalars[f'train/distill.{loss_name}'],
                                  rel=1e-4, abs=1e-6)
    for stat in stats:
        assert 0.0 <= scalars[f'train/diag/{loss_name}/{stat}'] <= 1.0
    assert 0.0 <= scalars['train/diag/teacher_top1'] <= 100.0
    log = next(run['work_dir'].glob('*/*.log')).read_text()
    assert f'diag/{loss_name}/{terms[0]}' in log
    assert 'diag/teacher_top1' in log
