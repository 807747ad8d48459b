"""End-to-end runs of tools/train.py, tools/test.py and tools/dist_train.sh
on generated ImageNet-format data, on CPU, as a user runs them."""
from pathlib import Path

import pytest
import torch

from tests.helpers.datasets import make_imagenet
from tests.helpers.training import imagenet_cli_options, run_tool

pytestmark = pytest.mark.slow

KD = 'configs/kd_r34_r18_imagenet.py'


def _deterministic(opts):
    """No random augmentation, so that resumed and straight runs match."""
    return opts + [
        'train_dataloader.dataset.pipeline.1.type=Resize',
        'train_dataloader.dataset.pipeline.2.prob=0.0',
    ]


def _train(work_dir: Path, data: Path, epochs: int, *extra):
    opts = _deterministic(
        imagenet_cli_options(data, batch_size=2, max_epochs=epochs, iters=2))
    proc = run_tool('train.py', KD, '--work-dir', work_dir, *extra,
                    '--cfg-options', *opts)
    assert proc.returncode == 0, proc.stdout[-4000:]
    return proc.stdout


def _load(path: Path) -> dict:
    import mmkd_logits  # noqa: F401  (allow-lists numpy for weights_only)
    return torch.load(path, map_location='cpu', weights_only=True)


@pytest.fixture(scope='module')
def data(tmp_path_factory) -> Path:
    return make_imagenet(
        tmp_path_factory.mktemp('imagenet'),
        num_classes=4,
        per_class=2,
        val_per_class=1)


@pytest.fixture(scope='module')
def resumed_run(tmp_path_factory, data):
    """1 epoch (2 iterations), then --resume to 2 epochs."""
    work = tmp_path_factory.mktemp('resumed')
    _train(work, data, 1)
    first = _load(work / 'epoch_1.pth')
    log = _train(work, data, 2, '--resume')
    return work, first, log


def test_train_writes_weights_only_checkpoint(resumed_run):
    work, first, _ = resumed_run
    assert first['meta']['epoch'] == 1 and first['meta']['iter'] == 2
    keys = first['state_dict'].keys()
    assert any(k.startswith('architecture.') for k in keys)
    assert any(k.startswith('teacher.') for k in keys)
    assert (work / 'best_accuracy_top1_epoch_1.pth').exists()
    assert (work /
            'last_checkpoint').read_text().strip().endswith('epoch_2.pth')
    # the atomic writer leaves no temporary files behind
    assert not list(work.glob('.*.tmp'))


def test_resume_continues_counters_and_optimizer(resumed_run):
    work, first, log = resumed_run
    assert 'resumed epoch: 1, iter: 2' in log
    second = _load(work / 'epoch_2.pth')
    assert second['meta']['epoch'] == 2 and second['meta']['iter'] == 4
    # the LR scheduler continued (it did not restart at step 0)
    s1 = first['param_schedulers'][0]['_global_step']
    s2 = second['param_schedulers'][0]['_global_step']
    assert s2 == s1 + 1
    # the momentum buffers were loaded and kept evolving
    m1 = first['optimizer']['state']
    m2 = second['optimizer']['state']
    assert m1 and m1.keys() == m2.keys()


def test_resume_equals_uninterrupted_run(tmp_path, data, resumed_run):
    work, _, _ = resumed_run
    straight = tmp_path / 'straight'
    _train(straight, data, 2)
    a = _load(straight / 'epoch_2.pth')['state_dict']
    b = _load(work / 'epoch_2.pth')['state_dict']
    assert a.keys() == b.keys()
    for k in a:
        if k.startswith('architecture.'):
            torch.testing.assert_close(a[k], b[k], rtol=1e-5, atol=1e-6, msg=k)


def test_test_tool_evaluates_student(tmp_path, data, resumed_run):
    work, _, _ = resumed_run
    out = tmp_path / 'metrics.json'
    opts = imagenet_cli_options(data, batch_size=2)
    proc = run_tool('test.py', KD, work / 'epoch_2.pth', '--work-dir',
                    tmp_path / 'test', '--out', out, '--cfg-options', *opts)
    assert proc.returncode == 0, proc.stdout[-4000:]
    import json
    metrics = json.loads(out.read_text())
    assert 0.0 <= metrics['accuracy/top1'] <= 100.0
    assert not any(k.startswith('teacher.') for k in metrics)


def test_test_tool_refuses_checkpoint_that_does_not_fit(tmp_path, data):
    bad = tmp_path / 'bad.pth'
    torch.save({'state_dict': {'foo.weight': torch.zeros(2)}}, bad)
    opts = imagenet_cli_options(data, batch_size=2)
    proc = run_tool('test.py', KD, bad, '--work-dir', tmp_path / 'test',
                    '--cfg-options', *opts)
    assert proc.returncode != 0
    assert 'missing keys' in proc.stdout and 'foo.weight' in proc.stdout


def test_amp_on_cpu_is_a_clear_error(tmp_path, data):
    opts = imagenet_cli_options(data, batch_size=2)
    # the process sees no GPU, also on a machine that has one
    proc = run_tool(
        'train.py',
        KD,
        '--amp',
        '--work-dir',
        tmp_path,
        '--cfg-options',
        *opts,
        env={'CUDA_VISIBLE_DEVICES': ''})
    assert proc.returncode != 0
    assert '--amp needs a CUDA GPU' in proc.stdout


def test_dist_train_two_cpu_processes(tmp_path, data):
    work = tmp_path / 'dist'
    opts = imagenet_cli_options(data, batch_size=2, max_epochs=1, iters=2)
    proc = run_tool(
        'dist_train.sh',
        KD,
        2,
        '--work-dir',
        work,
        '--cfg-options',
        *opts,
        env={'PORT': '29531'})
    assert proc.returncode == 0, proc.stdout[-4000:]
    ckpt = _load(work / 'epoch_1.pth')
    # 2 processes x batch 2 share 4 training images: one iteration each
    assert ckpt['meta']['iter'] == 1
    assert 'Distributed training: True' in proc.stdout
