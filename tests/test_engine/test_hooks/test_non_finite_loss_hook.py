"""NonFiniteLossHook: a NaN / inf loss stops the run at once, named."""
import math
from types import SimpleNamespace

import pytest
import torch
from mmengine.logging import MessageHub

import mmkd_logits  # noqa: F401
from mmkd_logits.engine.hooks import NonFiniteLossError, NonFiniteLossHook
from tests.helpers.datasets import make_cifar100
from tests.helpers.training import (build_and_train, cifar_tiny_options,
                                    no_cifar_md5)


def _runner(tmp_path, **scalars):
    hub = MessageHub.get_instance(f'nonfinite_{len(scalars)}_{id(scalars)}')
    for key, value in scalars.items():
        hub.update_scalar(f'train/{key}', value)
    return SimpleNamespace(
        message_hub=hub, iter=41, epoch=2, work_dir=str(tmp_path))


def test_finite_losses_pass(tmp_path):
    outputs = {
        'loss': torch.tensor(1.5),
        'distill.loss_kd': 0.5,
        'distill.teacher_top1': 50.0
    }
    runner = _runner(tmp_path, **outputs)
    NonFiniteLossHook().after_train_iter(runner, 0, outputs=outputs)


@pytest.mark.parametrize('bad', [math.nan, math.inf])
def test_names_the_iteration_and_every_bad_term(tmp_path, bad):
    (tmp_path / 'last_checkpoint').write_text('epoch_2.pth')
    outputs = {
        'loss': bad,
        'student.loss': 2.0,
        'distill.loss_dkd': bad,
        'distill.dkd.nckd': bad
    }
    with pytest.raises(NonFiniteLossError) as err:
        NonFiniteLossHook().after_train_iter(
            _runner(tmp_path, **outputs), 0, outputs=outputs)
    msg = str(err.value)
    assert 'non-finite loss at iteration 42 (epoch 3)' in msg
    assert f'distill.loss_dkd = {bad}' in msg and 'student.loss' not in msg
    assert 'distill.dkd.nckd' not in msg  # a diagnostic, not a loss
    assert '--resume' in msg and 'last_checkpoint' in msg


@pytest.mark.slow
def test_kd_baseline_stops_at_the_first_nan_instead_of_training_on(tmp_path):
    """An lr of 1e30 blows the weights up after the first step: the KD run
    stops there, naming the loss, and writes no checkpoint after it."""
    root = make_cifar100(tmp_path / 'data', num_train=8, num_test=2)
    options = cifar_tiny_options(root, batch_size=2, max_epochs=2)
    options.update({
        'optim_wrapper.optimizer.lr': 1e30,
        'train_dataloader.dataset.serialize_data': False
    })
    with no_cifar_md5(), pytest.raises(NonFiniteLossError) as err:
        build_and_train('kd_r56_r20_cifar100.py', tmp_path / 'work', options)
    assert 'non-finite loss at iteration 2 (epoch 1)' in str(err.value)
    assert 'distill.loss_kd' in str(err.value)
    assert not list((tmp_path / 'work').glob('epoch_*.pth'))
