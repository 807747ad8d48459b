"""tools/misc/print_config.py: the merged config, as the runner reads it."""
import pytest
from mmengine.config import Config

from tests.helpers.training import run_tool

pytestmark = pytest.mark.slow


def test_prints_the_merged_config(tmp_path):
    proc = run_tool('misc/print_config.py',
                    'configs/ldrld_r34_r18_imagenet.py', '--cfg-options',
                    'model.distiller.distill_losses.loss_ldrld.tau=2.5',
                    'train_cfg.max_epochs=7')
    assert proc.returncode == 0, proc.stdout[-3000:]
    printed = tmp_path / 'printed.py'
    printed.write_text(proc.stdout)
    cfg = Config.fromfile(str(printed))  # a plain config, loadable again
    assert cfg.model.distiller.distill_losses.loss_ldrld.tau == 2.5
    assert cfg.train_cfg.max_epochs == 7
    assert cfg.model.distiller.distill_losses.loss_ldrld.type == \
        'mmkd_logits.models.LDRLDLoss'


def test_missing_config_is_an_error(tmp_path):
    proc = run_tool('misc/print_config.py', tmp_path / 'nope.py')
    assert proc.returncode == 1 and 'Traceback' not in proc.stdout
    assert 'print_config: error: ' in proc.stdout and 'nope.py' in proc.stdout
