"""Importing the plugin does not stop another project from resuming its own
checkpoints with its own tools.

"Another project" is an old-style mmpretrain config that distils with
mmrazor's ``ConfigurableDistiller`` and the plugin's ``LDRLDLoss``
(``custom_imports``) and keeps mmpretrain's runtime: its checkpoints hold
mmengine's pickled log buffers, which a weights-only load refuses. It trains
with **mmpretrain's** ``tools/train.py``, is SIGKILLed in its second epoch,
and resumes with the same tool and ``--resume``: the run's own work dir is
trusted while the runner resumes, whatever tool started it.
"""
import os
import pickle
import signal
import subprocess
import sys
import time

import pytest
import torch

from tests.helpers.datasets import make_imagenet
from tests.helpers.upstream import OTHER_PROJECT_CONFIG, mim_tool, run_python

pytestmark = pytest.mark.slow

# runs mmpretrain's train.py and blocks (to be SIGKILLed) at the N-th
# optimizer step, after writing a marker file
WRAPPER = r'''
import os, runpy, sys, time
import torch
real_step = torch.optim.SGD.step
steps = [0]
def step(self, *args, **kwargs):
    steps[0] += 1
    if steps[0] == int(os.environ['HANG_STEP']):
        open(os.environ['MARKER'], 'w').close()
        time.sleep(600)
    return real_step(self, *args, **kwargs)
torch.optim.SGD.step = step
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name='__main__')
'''


def test_other_project_killed_then_resumed_with_mmpretrain_train(tmp_path):
    data = make_imagenet(
        tmp_path / 'imagenet', num_classes=4, per_class=1, val_per_class=1)
    project = tmp_path / 'other_project'
    project.mkdir()
    config = project / 'kd_ldrld_resnet18.py'
    config.write_text(OTHER_PROJECT_CONFIG.format(data_root=data))
    wrapper = tmp_path / 'hang.py'
    wrapper.write_text(WRAPPER)
    train = mim_tool('mmpretrain')
    work = tmp_path / 'work'
    marker = tmp_path / 'blocked'

    env = dict(
        os.environ, OMP_NUM_THREADS='1', HANG_STEP='3', MARKER=str(marker))
    env.pop('MMKD_TRUST_CHECKPOINTS', None)
    log = (tmp_path / 'first.log').open('w')
    proc = subprocess.Popen([
        sys.executable,
        str(wrapper),
        str(train),
        str(config), '--work-dir',
        str(work)
    ],
                            cwd=str(project),
                            env=env,
                            stdout=log,
                            stderr=subprocess.STDOUT)
    deadline = time.time() + 300
    while not marker.exists() and proc.poll() is None and \
            time.time() < deadline:
        time.sleep(0.1)
    first = (tmp_path / 'first.log').read_text()
    assert marker.exists(), first[-3000:]
    proc.send_signal(signal.SIGKILL)  # in epoch 2, after epoch_1 was saved
    assert proc.wait(timeout=60) == -signal.SIGKILL
    log.close()
    assert (work / 'epoch_1.pth').exists() and \
        not (work / 'epoch_2.pth').exists()
    # the checkpoint needs full unpickling: a weights-only load refuses it
    import mmkd_logits  # noqa: F401  (its allow-list is not enough either)
    with pytest.raises(pickle.UnpicklingError):
        torch.load(work / 'epoch_1.pth', weights_only=True)

    env.pop('HANG_STEP')
    resumed = run_python(
        train,
        config,
        '--work-dir',
        work,
        '--resume',
        cwd=project,
        env={'MMKD_TRUST_CHECKPOINTS': ''})
    out = resumed.stdout
    assert resumed.returncode == 0, out[-4000:]
    assert 'UntrustedCheckpointError' not in out
    assert 'resumed epoch: 1, iter: 2' in out
    assert 'Epoch(train) [2][2/2]' in out and 'distill.loss_ldrld' in out
    assert 'Epoch(train) [1]' not in out  # epoch 1 was not trained again
    assert 'Loads checkpoint by' not in out  # the per-load line is quiet
    final = torch.load(work / 'epoch_2.pth', weights_only=False)
    assert final['meta']['epoch'] == 2 and final['meta']['iter'] == 4
