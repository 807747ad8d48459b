"""tools/misc/readme_tables.py as a user runs it."""
import shutil
from pathlib import Path

import pytest

from tests.helpers.training import REPO_ROOT, run_tool

pytestmark = pytest.mark.slow


def test_check_passes_on_the_repository_readme():
    proc = run_tool('misc/readme_tables.py', '--check')
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert 'up to date' in proc.stdout


def test_print_check_and_write_on_a_copy(tmp_path):
    readme = tmp_path / 'README.md'
    shutil.copy(REPO_ROOT / 'README.md', readme)
    text = readme.read_text()
    readme.write_text(text.replace('70.66 (D)', '70.99 (D)', 1))

    proc = run_tool('misc/readme_tables.py', '--check', '--readme', readme)
    assert proc.returncode == 1
    assert '-| resnet56 → resnet20 | [config](configs/kd_r56_r20_' in \
        proc.stdout and '70.99 (D)' in proc.stdout
    assert '--write' in proc.stdout

    proc = run_tool('misc/readme_tables.py', '--write', '--readme', readme)
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert readme.read_text() == text

    proc = run_tool('misc/readme_tables.py')
    assert proc.returncode == 0
    assert proc.stdout.count('| pair | KD | DKD |') == 4


def test_readme_without_markers_is_a_clear_error(tmp_path):
    readme = Path(tmp_path / 'README.md')
    readme.write_text('# nothing\n')
    proc = run_tool('misc/readme_tables.py', '--check', '--readme', readme)
    assert proc.returncode == 2
    assert 'experiment-tables:begin' in proc.stdout
