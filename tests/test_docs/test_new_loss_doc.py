"""``docs/new_loss.md`` works as written, from a package outside this
repository.

The page's file blocks (those starting with a ``# my_kd/...`` path line)
are written into a temporary folder: that is the user's package. The loss
is checked against an independent float64 computation and the page's plain
``python`` blocks run in order; then, in a fresh environment with a regular
install of mmkd_logits, the package is pip-installed and its own config
trains one iteration with ``mim train mmkd_logits``.
"""
import re
import sys
from pathlib import Path
from typing import Dict, List

import pytest
import torch

from tests.helpers.datasets import make_imagenet
from tests.helpers.install import installed_venv
from tests.helpers.training import REPO_ROOT, imagenet_cli_options
from tests.helpers.upstream import run_python

DOC = REPO_ROOT / 'docs' / 'new_loss.md'
BLOCK = re.compile(r'^```(\w*)\n(.*?)^```', re.S | re.M)
FILE_LINE = re.compile(r'^# (my_kd/\S+)\n')
CONFIG = 'my_kd/my_kd/configs/topk_kd_r34_r18_imagenet.py'


def _blocks() -> List[tuple]:
    return BLOCK.findall(DOC.read_text(encoding='utf-8'))


def write_package(folder: Path) -> Dict[str, Path]:
    """The page's files under ``folder``; ``{relative path: file}``."""
    files = {}
    for _, code in _blocks():
        match = FILE_LINE.match(code)
        if match:
            path = folder / match.group(1)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(code)
            files[match.group(1)] = path
    return files


@pytest.fixture
def my_kd(tmp_path):
    """The package importable in this process (as an installed one is)."""
    files = write_package(tmp_path)
    sys.path.insert(0, str(tmp_path / 'my_kd'))
    from mmrazor.registry import MODELS
    try:
        import my_kd
        yield my_kd, files
    finally:
        sys.path.remove(str(tmp_path / 'my_kd'))
        for name in [m for m in sys.modules if m.split('.')[0] == 'my_kd']:
            del sys.modules[name]
        MODELS._module_dict.pop('TopKKDLoss', None)


def _reference(zs, zt, tau, k, alpha, beta):
    """τ²·KL over the teacher's top-k classes and over the rest, one
    sample and one subset at a time."""
    out = []
    for s, t in zip(zs.tolist(), zt.tolist()):
        order = sorted(range(len(t)), key=lambda i: -t[i])
        total = 0.0
        for weight, subset in ((alpha, order[:k]), (beta, order[k:])):
            ps = torch.softmax(
                torch.tensor([s[i]
                              for i in subset], dtype=torch.float64) / tau, 0)
            pt = torch.softmax(
                torch.tensor([t[i]
                              for i in subset], dtype=torch.float64) / tau, 0)
            total += weight * tau**2 * float((pt * (pt / ps).log()).sum())
        out.append(total)
    return torch.tensor(out, dtype=torch.float64)


def test_the_package_of_the_page(my_kd):
    module, files = my_kd
    assert set(files) == {
        'my_kd/pyproject.toml', 'my_kd/my_kd/__init__.py',
        'my_kd/my_kd/topk_kd_loss.py', CONFIG
    }
    from mmrazor.registry import MODELS

    from mmkd_logits.models.losses import BaseLogitLoss
    loss_cls = module.TopKKDLoss
    assert issubclass(loss_cls, BaseLogitLoss)
    assert MODELS.get('TopKKDLoss') is loss_cls

    g = torch.Generator().manual_seed(0)
    zs = torch.randn(6, 9, generator=g, dtype=torch.float64) * 3
    zt = torch.randn(6, 9, generator=g, dtype=torch.float64) * 3
    loss = loss_cls(tau=2.0, k=3, alpha=1.5, beta=0.5, reduction='none')
    torch.testing.assert_close(
        loss(zs, zt), _reference(zs, zt, 2.0, 3, 1.5, 0.5))
    assert float(loss(zt, zt).abs().max()) < 1e-12  # nothing to distil
    with pytest.raises(ValueError, match='needs at least 4 classes'):
        loss(zs[:, :3], zt[:, :3])

    namespace = {'__name__': 'new_loss_doc'}
    for lang, code in _blocks():
        if lang == 'python' and not FILE_LINE.match(code):
            exec(compile(code, str(DOC), 'exec'), namespace)
    assert torch.isfinite(namespace['out'])


@pytest.mark.slow
def test_trains_from_the_outside_package(tmp_path_factory, tmp_path):
    venv = installed_venv(tmp_path_factory.getbasetemp())
    write_package(tmp_path)
    proc = run_python(
        '-m',
        'pip',
        'install',
        '--no-deps',
        '--no-input',
        '--no-build-isolation',
        tmp_path / 'my_kd',
        cwd=tmp_path,
        python=venv['python'])
    assert proc.returncode == 0, proc.stdout[-3000:]
    data = make_imagenet(
        tmp_path / 'imagenet', num_classes=4, per_class=1, val_per_class=1)
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
        *imagenet_cli_options(data, batch_size=2, iters=1),
        cwd=tmp_path,
        python=venv['python'])
    out = proc.stdout
    assert proc.returncode == 0, out[-4000:]
    assert 'Epoch(train) [1][1/1]' in out
    for key in ('distill.loss_topk_kd', 'distill.topk_kd.head',
                'distill.topk_kd.tail'):
        assert key in out, key
    assert 'distill.loss_kd' not in out  # the inherited loss was replaced
    assert (work / 'epoch_1.pth').exists()
