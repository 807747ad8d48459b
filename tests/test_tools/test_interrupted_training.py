"""A run killed with SIGKILL — between checkpoints, and in the middle of
writing one — resumes with ``tools/train.py --resume`` from the last
complete checkpoint and ends exactly where an uninterrupted run ends
(weights, optimizer momentum, LR scheduler, counters); no torn checkpoint is
ever visible and the temporary file of the killed write is cleaned up.

The runs are the real tool on generated ImageNet-format data (CPU, ResNet-34
→ ResNet-18 shrunk to 8 base channels so that checkpoints are small). To
kill at a chosen moment — deterministically, however loaded the machine —
the tool is started through a small wrapper that blocks either (a) the
N-th optimizer step (after epoch 1 was saved and validated, in the middle
of epoch 2) or (b) the ``fsync`` of one checkpoint's temporary file (while
that checkpoint is being written), and signals it with a marker file; the
test then sends SIGKILL. Nothing of the training code is changed.
"""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

from tests.helpers.datasets import make_imagenet
from tests.helpers.training import REPO_ROOT, TOOLS, imagenet_cli_options

pytestmark = pytest.mark.slow

KD = 'configs/kd_r34_r18_imagenet.py'
EPOCHS, ITERS = 3, 3

WRAPPER = r'''
import os, runpy, sys, time
hang_step = int(os.environ.get('MMKD_TEST_HANG_STEP', '0'))
hang = os.environ.get('MMKD_TEST_HANG_SAVE')
def block():
    open(os.environ['MMKD_TEST_MARKER'], 'w').close()
    time.sleep(600)  # SIGKILLed here
if hang:
    real_fsync = os.fsync
    def fsync(fd):
        try:
            name = os.path.basename(os.readlink(f'/proc/self/fd/{fd}'))
        except OSError:
            name = ''
        if name.startswith(f'.{hang}.') and name.endswith('.tmp'):
            block()  # written, not yet renamed
        real_fsync(fd)
    os.fsync = fsync
if hang_step:
    import torch
    real_step = torch.optim.SGD.step
    steps = [0]
    def step(self, *args, **kwargs):
        steps[0] += 1
        if steps[0] == hang_step:
            block()
        return real_step(self, *args, **kwargs)
    torch.optim.SGD.step = step
tool = sys.argv[1]
sys.argv = sys.argv[1:]
runpy.run_path(tool, run_name='__main__')
'''


def _options(data: Path):
    return imagenet_cli_options(
        data, batch_size=2, max_epochs=EPOCHS, iters=ITERS) + [
            # deterministic: resumed and straight runs see the same batches
            'train_dataloader.dataset.pipeline.1.type=Resize',
            'train_dataloader.dataset.pipeline.2.prob=0.0',
            # small models: small checkpoints, fast saves
            *(f'model.{m}.backbone.{k}=8' for m in ('architecture', 'teacher')
              for k in ('stem_channels', 'base_channels')),
            'model.architecture.head.in_channels=64',
            'model.teacher.head.in_channels=64',
        ]


_procs = []


@pytest.fixture(autouse=True)
def _no_orphans():
    """Never leave a blocked training process behind."""
    yield
    while _procs:
        proc = _procs.pop()
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def _start(work: Path, data: Path, log: Path, *extra, **env_extra):
    env = dict(os.environ, OMP_NUM_THREADS='1', MMKD_TRUST_CHECKPOINTS='')
    env.update(env_extra)
    cmd = [
        sys.executable, '-c', WRAPPER,
        str(TOOLS / 'train.py'), KD, '--work-dir',
        str(work), *extra, '--cfg-options', *_options(data)
    ]
    with log.open('w') as out:
        proc = subprocess.Popen(
            cmd,
            cwd=str(REPO_ROOT),
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT)
    _procs.append(proc)
    return proc


def _wait_for(proc, condition, what: str, timeout: float = 120.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return
        if proc.poll() is not None:
            break
        time.sleep(0.01)
    proc.kill()
    raise AssertionError(f'{what} did not happen (exit {proc.poll()})')


def _kill(proc):
    proc.send_signal(signal.SIGKILL)
    assert proc.wait(timeout=30) == -signal.SIGKILL


def _last(work: Path) -> str:
    try:
        return Path((work / 'last_checkpoint').read_text().strip()).name
    except OSError:
        return ''


def _load(path: Path) -> dict:
    import mmkd_logits  # noqa: F401  (allow-lists numpy for weights_only)
    return torch.load(path, map_location='cpu', weights_only=True)


def _temp_files(work: Path):
    return sorted(p.name for p in work.glob('.*.tmp'))


def _assert_same_state(a: dict, b: dict):
    assert a['meta']['epoch'] == b['meta']['epoch']
    assert a['meta']['iter'] == b['meta']['iter']
    sa, sb = a['state_dict'], b['state_dict']
    assert sa.keys() == sb.keys()
    for k in sa:
        torch.testing.assert_close(sa[k], sb[k], rtol=1e-5, atol=1e-6, msg=k)
    oa, ob = a['optimizer'], b['optimizer']
    assert oa['state'].keys() == ob['state'].keys() and oa['state']
    for k in oa['state']:
        for name, va in oa['state'][k].items():
            torch.testing.assert_close(
                va,
                ob['state'][k][name],
                rtol=1e-5,
                atol=1e-6,
                msg=f'optimizer {k} {name}')
    assert [g['lr'] for g in oa['param_groups']] == \
        [g['lr'] for g in ob['param_groups']]
    assert a['param_schedulers'] == b['param_schedulers']


def test_sigkill_then_resume_matches_uninterrupted_run(tmp_path):
    data = make_imagenet(
        tmp_path / 'data', num_classes=4, per_class=2, val_per_class=1)
    straight, work = tmp_path / 'straight', tmp_path / 'work'

    # 0. the reference: an uninterrupted run (started first, runs alongside)
    ref = _start(straight, data, tmp_path / 'straight.log')

    # 1. kill between checkpoints: epoch_1 is saved, epoch_2 half trained
    marker = tmp_path / 'in_step'
    proc = _start(
        work,
        data,
        tmp_path / 'run1.log',
        MMKD_TEST_HANG_STEP=str(ITERS + 2),
        MMKD_TEST_MARKER=str(marker))
    _wait_for(proc, marker.exists, 'the 2nd iteration of epoch 2')
    _kill(proc)
    assert _last(work) == 'epoch_1.pth'
    assert not (work / 'epoch_2.pth').exists()
    assert _temp_files(work) == []
    first = _load(work / 'epoch_1.pth')
    assert first['meta']['epoch'] == 1 and first['meta']['iter'] == ITERS

    # 2. resume, and kill while epoch_2.pth is being written
    marker = tmp_path / 'in_fsync'
    proc = _start(
        work,
        data,
        tmp_path / 'run2.log',
        '--resume',
        MMKD_TEST_HANG_SAVE='epoch_2.pth',
        MMKD_TEST_MARKER=str(marker))
    _wait_for(proc, marker.exists, 'writing epoch_2.pth')
    _kill(proc)
    log2 = (tmp_path / 'run2.log').read_text()
    assert f'resumed epoch: 1, iter: {ITERS}' in log2, log2[-3000:]
    # the new checkpoint exists only as a temporary file: the old state is
    # intact and still the one `last_checkpoint` names
    assert not (work / 'epoch_2.pth').exists()
    assert [n.startswith('.epoch_2.pth.') for n in _temp_files(work)] == \
        [True]
    assert _last(work) == 'epoch_1.pth'
    for ckpt in work.glob('*.pth'):
        _load(ckpt)  # every visible checkpoint is complete

    # 3. resume again: from epoch_1 (the last complete one) to the end,
    # without any trust opt-in (the run's own checkpoints)
    proc = _start(work, data, tmp_path / 'run3.log', '--resume')
    assert proc.wait(timeout=300) == 0, \
        (tmp_path / 'run3.log').read_text()[-3000:]
    log3 = (tmp_path / 'run3.log').read_text()
    assert f'resumed epoch: 1, iter: {ITERS}' in log3
    assert _temp_files(work) == []  # the killed write's leftover is gone
    assert _last(work) == f'epoch_{EPOCHS}.pth'

    assert ref.wait(timeout=300) == 0, \
        (tmp_path / 'straight.log').read_text()[-3000:]
    _assert_same_state(
        _load(straight / f'epoch_{EPOCHS}.pth'),
        _load(work / f'epoch_{EPOCHS}.pth'))
