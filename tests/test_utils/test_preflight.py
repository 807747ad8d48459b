"""Pre-flight checks: the mistakes users hit first, before anything is
built (tools/train.py runs them right after reading the config)."""
import time

import pytest

from mmkd_logits.utils import ConfigError, preflight_check
from tests.helpers.datasets import make_cifar100
from tests.helpers.training import CONFIGS, cifar_tiny_options, run_tool

CONFIG = 'configs/dkd_r56_r20_cifar100.py'


def _cfg(**options):
    from mmengine.config import Config
    cfg = Config.fromfile(str(CONFIGS / 'dkd_r56_r20_cifar100.py'))
    cfg.merge_from_dict(options)
    return cfg


@pytest.fixture(scope='module')
def cifar(tmp_path_factory):
    return make_cifar100(
        tmp_path_factory.mktemp('cifar'), num_train=2, num_test=2)


def test_missing_teacher_checkpoint_names_key_and_path(cifar, tmp_path):
    opts = cifar_tiny_options(cifar)
    opts['model.teacher_ckpt'] = str(tmp_path / 'nope.pth')
    opts.pop('model.distiller.allow_random_teacher')
    with pytest.raises(ConfigError) as err:
        preflight_check(_cfg(**opts))
    msg = str(err.value)
    assert 'model.teacher_ckpt' in msg and 'nope.pth' in msg
    assert 'does not exist' in msg


def test_unset_teacher_refused_unless_allowed(cifar):
    opts = cifar_tiny_options(cifar)
    opts.pop('model.distiller.allow_random_teacher')
    with pytest.raises(ConfigError, match='model.teacher_ckpt is not set'):
        preflight_check(_cfg(**opts))
    preflight_check(_cfg(**cifar_tiny_options(cifar)))  # allowed: passes


def test_urls_and_existing_files_pass(cifar, tmp_path):
    ckpt = tmp_path / 't.pth'
    ckpt.write_bytes(b'x')
    for path in (str(ckpt), 'https://example.org/t.pth'):
        opts = cifar_tiny_options(cifar)
        opts['model.teacher_ckpt'] = path
        preflight_check(_cfg(**opts))


def test_missing_data_root(tmp_path):
    opts = cifar_tiny_options(tmp_path / 'no_cifar')
    with pytest.raises(ConfigError, match='data_root .*does not exist'):
        preflight_check(_cfg(**opts))


@pytest.mark.slow
def test_train_tool_fails_in_its_first_lines(tmp_path):
    start = time.monotonic()
    proc = run_tool('train.py', CONFIG, '--work-dir', tmp_path / 'w',
                    '--cfg-options',
                    f'model.teacher_ckpt={tmp_path}/missing.pth')
    elapsed = time.monotonic() - start
    assert proc.returncode != 0
    lines = [line for line in proc.stdout.splitlines() if line.strip()]
    assert len(lines) <= 6, proc.stdout
    assert 'missing.pth' in proc.stdout and 'does not exist' in proc.stdout
    # nothing was built: the models alone take longer than this
    assert not (tmp_path / 'w').exists()
    assert elapsed < 60
