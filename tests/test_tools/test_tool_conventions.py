"""What every tool in tools/ has in common: no tool imports another tool,
sys.path is only given the repository root, and every tool that loads a
checkpoint takes the same --trust-checkpoint PATH option."""
import ast
import subprocess
import sys

import pytest

from mmkd_logits.apis.checkpoint_io import TRUST_HELP
from tests.helpers.training import REPO_ROOT, TOOLS

PYTHON_TOOLS = sorted(TOOLS.rglob('*.py'))
TOOL_MODULES = {p.stem for p in PYTHON_TOOLS}
#: the tools that load a checkpoint file
LOADING = ('train.py', 'test.py', 'export_student.py', 'fold_serial_head.py',
           'convert_mdistiller_ckpt.py', 'analysis/logit_relations.py',
           'analysis/sdd_regions.py')


def _ids(paths):
    return [str(p.relative_to(TOOLS)) for p in paths]


@pytest.mark.parametrize('tool', PYTHON_TOOLS, ids=_ids(PYTHON_TOOLS))
def test_no_tool_imports_another_and_only_the_repo_root_is_added(tool):
    tree = ast.parse(tool.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or '']
        else:
            continue
        assert not {n.split('.')[0] for n in names} & TOOL_MODULES, \
            f'{tool.name} imports a tool: {names}'
    inserts = [
        n for n in ast.walk(tree)
        if isinstance(n, ast.Call) and ast.unparse(n.func) in (
            'sys.path.insert', 'sys.path.append')
    ]
    assert len(inserts) <= 1, f'{tool.name} edits sys.path more than once'
    for call in inserts:  # the repository root, from the tool's own path
        value = call.args[-1]
        if isinstance(value, ast.Name):  # REPO_ROOT = ...
            value = next(
                n.value for n in ast.walk(tree) if isinstance(n, ast.Assign)
                and ast.unparse(n.targets[0]) == value.id)
        expr = ast.unparse(value)
        depth = len(tool.relative_to(TOOLS).parts)
        assert '__file__' in expr and expr.count('dirname') == depth + 1, \
            f'{tool.name}: sys.path gets {expr}, not the repository root'


@pytest.mark.parametrize('tool', LOADING)
def test_one_trust_option_with_one_meaning(tool):
    proc = subprocess.run(
        [sys.executable, str(TOOLS / tool), '--help'],
        cwd=str(REPO_ROOT),
        capture_output=True,
        text=True,
        timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    help_text = ' '.join(proc.stdout.split())
    assert '[--trust-checkpoint PATH]' in help_text
    assert ' '.join(TRUST_HELP.split()) in help_text
    assert '--unsafe-load' not in help_text
