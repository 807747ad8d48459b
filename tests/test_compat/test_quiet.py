"""Quiet by default: the upstream warnings that do not apply to this install
are silenced, narrowly (by message and issuing module)."""
import subprocess
import sys
import warnings

import pytest

import mmkd_logits  # noqa: F401
from mmkd_logits.compat import quiet
from tests.helpers.training import REPO_ROOT, TOOLS

PYTHON_TOOLS = sorted(
    p for p in TOOLS.rglob('*.py') if p.name != '__init__.py')


def _warning_lines(text):
    return [
        line for line in text.splitlines()
        if 'warn' in line.lower() or 'deprecat' in line.lower()
    ]


def test_import_prints_nothing_even_with_all_warnings_on():
    proc = subprocess.run(
        [sys.executable, '-W', 'default', '-c', 'import mmkd_logits'],
        cwd=str(REPO_ROOT),
        capture_output=True,
        text=True,
        timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == '' and proc.stderr == ''


def test_filters_match_message_and_module_only():
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter('always')
        quiet.install_filters()
        # the same texts from other modules still show
        warnings.warn_explicit(
            'pkg_resources is deprecated as an API.',
            UserWarning,
            'x.py',
            1,
            module='my_project')
        warnings.warn_explicit(
            'Fail to import ``MultiScaleDeformableAttention`` from '
            '``mmcv.ops.multi_scale_deform_attn``',
            UserWarning,
            'y.py',
            1,
            module='my_project')
        # from the modules that issue them, they do not
        warnings.warn_explicit(
            'pkg_resources is deprecated as an API.',
            UserWarning,
            'package_utils.py',
            1,
            module='mmengine.utils.package_utils')
        warnings.warn_explicit(
            'Fail to import ``MultiScaleDeformableAttention`` from '
            '``mmcv.ops.multi_scale_deform_attn``, You should install '
            '``mmcv``',
            UserWarning,
            'transformer.py',
            33,
            module='mmcv.cnn.bricks.transformer')
        # other warnings of those modules still show
        warnings.warn_explicit(
            'something else',
            UserWarning,
            'transformer.py',
            40,
            module='mmcv.cnn.bricks.transformer')
    assert [str(w.message)[:20] for w in seen] == [
        'pkg_resources is dep', 'Fail to import ``Mul', 'something else'
    ]


@pytest.mark.parametrize(
    'tool',
    PYTHON_TOOLS,
    ids=[str(p.relative_to(TOOLS)) for p in PYTHON_TOOLS])
def test_tool_help_prints_no_warning(tool):
    proc = subprocess.run(
        [sys.executable, '-W', 'default',
         str(tool), '--help'],
        cwd=str(REPO_ROOT),
        capture_output=True,
        text=True,
        timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.startswith('usage:')
    assert _warning_lines(proc.stderr) == [], proc.stderr
    assert proc.stderr == ''
