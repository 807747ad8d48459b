"""The parts of the authors' recipes that one replayed step cannot show.

Each expectation is written here from the authors' code (named in the
comments), independently of the config files:

* CIFAR-100 normalization: the CRD / mdistiller constants of all four
  authors' code bases, on every CIFAR-100 config (teachers too);
* SD-KD / SD-DKD clip the student's gradient to an L2 norm of 40; nothing
  else clips;
* LDRLD's learning rate on CIFAR-100 for every epoch 1..240 (and on
  Tiny-ImageNet, 1..200), as the authors' schedule function really runs;
* the loss warm-up factor ``min(epoch / N, 1)`` with 1-based epochs, per
  epoch: at the first iteration of epochs 1, 2, 20, 21 on CIFAR-100 and of
  the first ImageNet epoch.
"""
import math
import re

import pytest
import torch

from tests.helpers.datasets import make_cifar100
from tests.helpers.training import (CONFIGS, build_and_train,
                                    cifar_tiny_options, no_cifar_md5)

pytestmark = pytest.mark.usefixtures('one_thread')

STEMS = sorted(p.stem for p in CONFIGS.glob('*.py'))
CIFAR = [s for s in STEMS if s.endswith('_cifar100')]

# mdistiller/dataset/cifar100.py (and the RLD, SDD, LDRLD copies of it)
CIFAR_MEAN = (0.5071, 0.4867, 0.4408)
CIFAR_STD = (0.2675, 0.2565, 0.2761)


def _cfg(stem: str):
    from mmengine.config import Config
    return Config.fromfile(str(CONFIGS / f'{stem}.py'))


@pytest.mark.parametrize('stem', CIFAR)
def test_cifar100_normalization_is_the_authors(stem):
    pre = _cfg(stem).data_preprocessor
    assert pre.mean == pytest.approx([255 * m for m in CIFAR_MEAN], abs=1e-9)
    assert pre.std == pytest.approx([255 * s for s in CIFAR_STD], abs=1e-9)
    assert pre.to_rgb is False  # mmpretrain's CIFAR100 gives RGB already


@pytest.mark.parametrize('stem', STEMS)
def test_only_sdd_clips_gradients(stem):
    clip = _cfg(stem).optim_wrapper.get('clip_grad', None)
    if stem.startswith('sdd_'):
        # the SDD trainer: clip_grad_norm_(..., max_norm=40) every step
        assert dict(clip) == dict(max_norm=40, norm_type=2)
    else:
        assert clip is None


def _ldrld_lr(epoch: int, base: float, decays, plateau_end: int) -> float:
    """yema-web/LDRLD helper/util.py adjust_learning_rate_wram_up with
    --wram_up 20, as it runs: 1-based ``epoch``."""
    steps = sum(epoch > d for d in decays)
    if steps:
        return base * 0.1**steps
    if epoch < 20:
        return epoch / 20 * base
    assert epoch <= plateau_end
    return 19 / 20 * base  # never written back after the warm-up


def _lrs_per_epoch(cfg, epochs: int):
    from mmengine.registry import PARAM_SCHEDULERS
    param = torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD([param], lr=cfg.optim_wrapper.optimizer.lr)
    schedulers = cfg.param_scheduler
    if isinstance(schedulers, dict):
        schedulers = [schedulers]
    built = [
        PARAM_SCHEDULERS.build(dict(s, optimizer=optimizer))
        for s in schedulers
    ]
    lrs = []
    for _ in range(epochs):
        lrs.append(optimizer.param_groups[0]['lr'])
        for scheduler in built:
            scheduler.step()
    return lrs


LDRLD = [s for s in STEMS if s.startswith('ldrld_')]


@pytest.mark.parametrize('stem', LDRLD)
def test_ldrld_learning_rate_every_epoch(stem):
    cfg = _cfg(stem)
    base = cfg.optim_wrapper.optimizer.lr
    if stem.endswith('_tiny_imagenet'):
        expected = [
            _ldrld_lr(e, base, (60, 120, 160), 60) for e in range(1, 201)
        ]
    elif stem.endswith('_imagenet'):  # no LDRLD ImageNet code: the standard
        expected = [
            0.2 * 0.1**sum(e > d for d in (30, 60, 90)) for e in range(1, 101)
        ]
    elif stem.endswith('_cifar100'):
        assert base in (0.05, 0.01)
        expected = [
            _ldrld_lr(e, base, (150, 180, 210), 150) for e in range(1, 241)
        ]
        assert expected[18] == pytest.approx(0.95 * base)  # epoch 19
        assert expected[149] == pytest.approx(0.95 * base)  # epoch 150
        assert expected[150] == pytest.approx(0.1 * base)  # epoch 151
    else:
        raise AssertionError(f'{stem}: unknown dataset')
    got = _lrs_per_epoch(cfg, len(expected))
    assert got == pytest.approx(expected, rel=1e-12)
    assert cfg.train_cfg.max_epochs == len(expected)


@pytest.mark.parametrize('stem',
                         [s for s in STEMS if not s.startswith('ldrld_')])
def test_other_learning_rates_are_plain_steps(stem):
    cfg = _cfg(stem)
    dataset = re.search(r'(cifar100|tiny_imagenet|(?<!tiny_)imagenet)$',
                        stem).group(1)
    decays, epochs = dict(
        cifar100=((150, 180, 210), 240),
        tiny_imagenet=((60, 120, 160), 200),
        imagenet=((30, 60, 90), 100))[dataset]
    base = cfg.optim_wrapper.optimizer.lr
    expected = [
        base * 0.1**sum(e > d for d in decays) for e in range(1, epochs + 1)
    ]
    assert _lrs_per_epoch(cfg, epochs) == pytest.approx(expected, rel=1e-12)


# ---------------------------------------------------------- loss warm-up
def _distiller(stem: str):
    from mmrazor.registry import MODELS
    cfg = _cfg(stem)
    cfg.model.teacher_ckpt = None
    cfg.model.distiller.allow_random_teacher = True
    cfg.model.data_preprocessor = cfg.data_preprocessor
    return MODELS.build(cfg.model).distiller


def _factor_at(distiller, epoch: int, it: int = 0) -> float:
    """The factor the runner's iteration sees at 1-based ``epoch``."""
    from mmengine.logging import MessageHub
    hub = MessageHub.get_current_instance()  # what the distiller reads
    hub.update_info('epoch', epoch - 1)  # RuntimeInfoHook: 0-based
    hub.update_info('iter', it)
    return distiller.warmup_factor()


@pytest.mark.parametrize('stem', [
    'dkd_r56_r20_cifar100', 'rld_r32x4_shuv1_cifar100',
    'sdd_dkd_vgg13_vgg8_cifar100', 'aekt_wrn40_2_wrn16_2_cifar100'
])
def test_cifar_warmup_factor_per_epoch(stem):
    distiller = _distiller(stem)
    # mdistiller / RLD / SDD trainers: min(epoch / 20, 1), 1-based epochs
    for epoch, factor in ((1, 0.05), (2, 0.1), (20, 1.0), (21, 1.0)):
        assert _factor_at(distiller, epoch) == pytest.approx(factor)
        # fixed for the whole epoch
        assert _factor_at(distiller, epoch, it=123) == pytest.approx(factor)


@pytest.mark.parametrize('stem', [
    'dkd_r34_r18_imagenet', 'rld_r50_mbv1_imagenet',
    'sdd_dkd_r34_r18_imagenet', 'aekt_r50_mbv1_imagenet'
])
def test_imagenet_one_epoch_warmup_is_one_from_the_first_step(stem):
    assert _factor_at(_distiller(stem), 1) == 1.0


@pytest.mark.parametrize('stem', [
    'kd_r56_r20_cifar100', 'ldrld_r32x4_r8x4_cifar100',
    'sdd_kd_r32x4_shuv1_cifar100'
])
def test_no_warmup_where_the_authors_have_none(stem):
    distiller = _distiller(stem)
    assert distiller.warmup is None
    assert _factor_at(distiller, 1) == 1.0


@pytest.mark.slow
def test_runner_logs_the_per_epoch_factor_and_resume_continues_it(tmp_path):
    """Through mmengine's runner: epoch 1 -> 0.05, epoch 2 (after --resume)
    -> 0.10, each constant over the epoch's iterations."""
    root = make_cifar100(tmp_path / 'data', num_train=4, num_test=2)
    options = cifar_tiny_options(root, batch_size=2, max_epochs=1)
    options['train_dataloader.dataset.serialize_data'] = False
    work = tmp_path / 'work'
    with no_cifar_md5():
        first = build_and_train('dkd_r56_r20_cifar100.py', work, options)
        factors = first.message_hub.log_scalars[
            'train/distill.warmup_factor'].data[0].tolist()
        assert factors == pytest.approx([0.05, 0.05])
        options['train_cfg.max_epochs'] = 2
        second = build_and_train(
            'dkd_r56_r20_cifar100.py', work, options, resume=True)
    assert second.epoch == 2 and second.iter == 4
    factors = second.message_hub.log_scalars[
        'train/distill.warmup_factor'].data[0].tolist()
    assert factors[-2:] == pytest.approx([0.1, 0.1])
    assert not math.isnan(
        second.message_hub.log_scalars['train/distill.loss_dkd'].current())
