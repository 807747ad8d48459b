"""The upstream packages' own entry points on our configs.

* mmpretrain's ``tools/train.py`` (what ``mim train mmpretrain`` runs) trains
  a distillation config: the config imports the plugin itself (its classes
  are imported as objects), the tool never does.
* mmrazor's ``tools/train.py`` (what ``mim train mmrazor`` runs) cannot run
  on torch >= 2: it imports all of mmrazor (``register_all_modules``) before
  it reads any config or argument, and mmrazor 1.0.0's quantization module
  fails to import on torch >= 2; nothing a config or the plugin does can
  come first without editing site-packages or a start-up hook. The README
  says so and names the commands to use instead.
"""
import pytest
import torch

from tests.helpers.datasets import make_imagenet
from tests.helpers.training import CONFIGS, imagenet_cli_options
from tests.helpers.upstream import mim_tool, run_python

pytestmark = pytest.mark.slow


@pytest.fixture(scope='module')
def options(tmp_path_factory):
    data = make_imagenet(
        tmp_path_factory.mktemp('imagenet'),
        num_classes=4,
        per_class=1,
        val_per_class=1)
    return imagenet_cli_options(data, batch_size=2, iters=2)


def test_mmpretrain_train_runs_a_distillation_config(options, tmp_path):
    work = tmp_path / 'work'
    proc = run_python(
        mim_tool('mmpretrain'),
        CONFIGS / 'ldrld_r34_r18_imagenet.py',
        '--work-dir',
        work,
        '--cfg-options',
        *options,
        cwd=tmp_path)
    out = proc.stdout
    assert proc.returncode == 0, out[-4000:]
    assert 'Epoch(train) [1][2/2]' in out
    assert 'distill.loss_ldrld' in out and 'distill.ldrld.local' in out
    assert 'teacher.accuracy/top1' in out  # mmrazor's distillation val loop
    assert (work / 'epoch_1.pth').exists()


def test_mmrazor_train_fails_before_reading_anything(options, tmp_path):
    assert int(torch.__version__.split('.')[0]) >= 2
    train = mim_tool('mmrazor')
    for args in ((CONFIGS / 'ldrld_r34_r18_imagenet.py', '--work-dir',
                  tmp_path / 'work', '--cfg-options', *options), ('--help', )):
        proc = run_python(train, *args, cwd=tmp_path)
        assert proc.returncode != 0
        assert '`torch>=1.13` is not installed properly' in proc.stdout
        assert 'register_all_modules' in proc.stdout  # first line of main()
        assert 'usage:' not in proc.stdout
    assert not (tmp_path / 'work').exists()
