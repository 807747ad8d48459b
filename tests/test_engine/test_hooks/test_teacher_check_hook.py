"""TeacherCheckHook: a teacher that loads but is useless stops the run
before the first step, with the likely causes."""
from types import SimpleNamespace

import pytest
import torch
from mmengine.config import Config
from mmpretrain.structures import DataSample
from torch import nn

import mmkd_logits  # noqa: F401
from mmkd_logits.engine.hooks import TeacherCheckError, TeacherCheckHook
from tests.helpers.datasets import make_cifar100
from tests.helpers.training import (build_and_train, cifar_tiny_options,
                                    no_cifar_md5)


class _Teacher(nn.Module):
    """Reads the label written into the image: right on a fraction of the
    samples (those whose first pixel says so), wrong on the others."""

    def forward(self, inputs, mode='tensor'):
        labels = inputs[:, 0, 0, 0].long()
        right = inputs[:, 1, 0, 0] > 0
        guess = torch.where(right, labels, (labels + 1) % 10)
        return nn.functional.one_hot(guess, 10).float()


def _model(teacher=None):
    model = nn.Module()
    model.teacher = teacher or _Teacher()
    model.student = SimpleNamespace(head=SimpleNamespace(num_classes=10))
    model.data_preprocessor = lambda batch, training: dict(
        inputs=torch.stack(batch['inputs']),
        data_samples=batch['data_samples'])
    return model


def _loader(fraction_right: float, batches: int = 6, size: int = 4):
    out = []
    for b in range(batches):
        inputs, samples = [], []
        for i in range(size):
            label = (b * size + i) % 10
            img = torch.zeros(3, 2, 2)
            img[0, 0, 0] = label
            img[1, 0, 0] = float((b * size + i) % 100 < fraction_right * 100)
            inputs.append(img)
            samples.append(DataSample().set_gt_label(label))
        out.append(dict(inputs=inputs, data_samples=samples))
    return out


def _runner(model, loader, ckpt='t.pth'):
    return SimpleNamespace(
        model=model,
        train_dataloader=loader,
        cfg=Config(dict(model=dict(teacher_ckpt=ckpt))))


def test_a_good_teacher_passes_and_rng_is_untouched():
    hook = TeacherCheckHook(num_batches=4)
    torch.manual_seed(3)
    before = torch.random.get_rng_state()
    hook.before_train(_runner(_model(), _loader(1.0)))
    assert torch.equal(torch.random.get_rng_state(), before)
    assert hook.teacher_top1(_model(), _loader(1.0)) == 100.0


def test_a_teacher_near_chance_stops_with_the_causes():
    # 4 batches x 4 = 16 samples, none right: 0% < 2 x chance (10%)
    with pytest.raises(TeacherCheckError) as err:
        TeacherCheckHook().before_train(_runner(_model(), _loader(0.0)))
    msg = str(err.value)
    assert 't.pth' in msg and 'gets 0.00%' in msg and 'chance: 10.00%' in msg
    assert 'normalization' in msg and 'class order' in msg
    assert '--skip-teacher-check' in msg


def test_no_check_without_a_teacher_checkpoint():
    TeacherCheckHook().before_train(_runner(_model(), _loader(0.0), ckpt=None))


def test_the_teacher_is_measured_in_eval_mode_and_restored():
    teacher = _Teacher()
    seen = []
    teacher.register_forward_pre_hook(lambda m, a: seen.append(m.training))
    teacher.train()
    TeacherCheckHook(num_batches=2).teacher_top1(_model(teacher), _loader(1.0))
    assert seen == [False, False] and teacher.training


@pytest.mark.slow
def test_a_random_teacher_below_its_recorded_accuracy_stops_the_run(tmp_path):
    """A teacher checkpoint whose weights do not match its recorded 75%
    (here: random weights, as with a wrong normalization or class order):
    the run stops before the first training iteration."""
    from mmengine.config import Config as Cfg
    from mmpretrain.registry import MODELS

    from tests.helpers.training import CONFIGS
    cfg = Cfg.fromfile(str(CONFIGS / '_base_/models/cifar100/resnet56.py'))
    torch.manual_seed(0)
    teacher = MODELS.build(cfg.model)
    ckpt = tmp_path / 'teacher.pth'
    torch.save(
        {
            'state_dict': teacher.state_dict(),
            'meta': {
                'source': {
                    'best_acc': 75.0
                }
            }
        }, ckpt)
    root = make_cifar100(tmp_path / 'data', num_train=16, num_test=2)
    options = cifar_tiny_options(root, batch_size=4)
    options.update({
        'model.teacher_ckpt': str(ckpt),
        'model.distiller.allow_random_teacher': False,
        'train_dataloader.dataset.serialize_data': False
    })
    with no_cifar_md5(), pytest.raises(
            TeacherCheckError, match='records 75.00%'):
        build_and_train('dkd_r56_r20_cifar100.py', tmp_path / 'work', options)
    assert not list((tmp_path / 'work').glob('*.pth'))
