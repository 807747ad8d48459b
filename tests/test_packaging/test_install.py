"""After a regular ``pip install .`` (not editable), from a folder outside
the checkout: the configs and tools travel with the package, ``mim train
mmkd_logits <config name>`` trains, and a lazy config of another project
inherits one of ours with ``from mmkd_logits.configs.<name> import *`` and
trains with mmpretrain's own ``tools/train.py``.
"""
from pathlib import Path

import pytest

from tests.helpers.datasets import make_imagenet
from tests.helpers.install import installed_venv
from tests.helpers.training import imagenet_cli_options
from tests.helpers.upstream import mim_tool, run_python

pytestmark = pytest.mark.slow

CONFIG = 'ldrld_r34_r18_imagenet.py'

OTHER_PROJECT = '''from mmengine.config import read_base

with read_base():
    from mmkd_logits.configs.ldrld_r34_r18_imagenet import *  # noqa

# the other project's own choices on top of ours
model.distiller.distill_losses.loss_ldrld.tau = 2.0
train_cfg.max_epochs = 1
'''


@pytest.fixture(scope='module')
def venv(tmp_path_factory):
    return installed_venv(tmp_path_factory.getbasetemp())


@pytest.fixture(scope='module')
def options(tmp_path_factory):
    data = make_imagenet(
        tmp_path_factory.mktemp('imagenet'),
        num_classes=4,
        per_class=1,
        val_per_class=1)
    return imagenet_cli_options(data, batch_size=2, iters=2)


def test_configs_and_tools_are_in_the_package(venv):
    package = venv['package']
    assert package == venv['site'] / 'mmkd_logits'
    config = package / 'configs' / CONFIG
    assert config.is_file() and not config.is_symlink()
    assert (package / 'configs' / '_base_' / 'pairs' /
            'r34_r18_imagenet.py').is_file()
    assert (package / 'configs' / 'metafiles' / 'ldrld.yml').is_file()
    for tool in ('train.py', 'test.py', 'dist_train.sh', 'export_student.py',
                 'misc/print_config.py'):
        assert (package / '.mim' / 'tools' / tool).is_file(), tool
    # one copy of each config name: mim looks names up in the whole package
    assert len(list(package.rglob(CONFIG))) == 1


def test_mim_train_by_config_name(venv, options, tmp_path):
    work = tmp_path / 'work'
    proc = run_python(
        '-m',
        'mim',
        'train',
        'mmkd_logits',
        CONFIG,
        '--work-dir',
        work,
        '--random-teacher',
        '--cfg-options',
        *options,
        cwd=tmp_path,
        python=venv['python'])
    out = proc.stdout
    assert proc.returncode == 0, out[-4000:]
    package = venv['package']
    assert f'will use {package / "configs" / CONFIG} instead' in out
    assert f'{package / ".mim" / "tools" / "train.py"}' in out
    assert 'Epoch(train) [1][2/2]' in out and 'distill.loss_ldrld' in out
    assert (work / 'epoch_1.pth').exists()


def test_another_projects_lazy_config_inherits_ours(venv, options, tmp_path):
    project = tmp_path / 'my_project' / 'configs'
    project.mkdir(parents=True)
    config = project / 'my_ldrld.py'
    config.write_text(OTHER_PROJECT)
    work = tmp_path / 'work'
    proc = run_python(
        mim_tool('mmpretrain'),
        config,
        '--work-dir',
        work,
        '--cfg-options',
        *options,
        cwd=tmp_path,
        python=venv['python'])
    out = proc.stdout
    assert proc.returncode == 0, out[-4000:]
    assert 'Epoch(train) [1][2/2]' in out and 'distill.loss_ldrld' in out
    dumped = (work / 'my_ldrld.py').read_text()
    assert 'tau=2.0' in dumped  # the other project's override
    assert "type='mmkd_logits.models.LDRLDLoss'" in dumped


def test_editable_checkouts_cannot_be_inherited_from(tmp_path):
    """The limitation the README states: mmengine resolves
    ``mmkd_logits.configs`` next to the installed distribution's metadata,
    which an editable install does not have."""
    from mmengine.utils import get_installed_path

    import mmkd_logits
    installed = Path(get_installed_path('mmkd_logits'))
    source = Path(mmkd_logits.__file__).parent
    if installed == source:  # a regular install runs the tests
        assert (installed / 'configs' / CONFIG).is_file()
    else:
        assert not (installed / 'configs' / CONFIG).exists()
