"""A regular (non-editable) ``pip install`` of this repository into a fresh
virtual environment, as a user gets it from ``pip install .``, made once per
test session.

To stay fast and offline-friendly it reuses the packages of the environment
running the tests (torch, mmengine, ...): a ``.pth`` file puts that
environment's site-packages *after* the new one on ``sys.path``. Only plain
paths are added that way — the ``.pth`` files of the test environment (among
them the editable install's finder) are not processed — so ``import
mmkd_logits`` finds the installed copy (checked). The repository is copied
first (tracked and untracked, not ignored files), so that the build never
writes into the checkout.
"""
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path
from typing import Dict, List

from .training import REPO_ROOT

__all__ = ['installed_venv', 'MIM_PACKAGES']

#: openmim, without the dependencies ``mim train`` never imports
#: (opendatalab/openxlab, which pin setuptools 60), plus those it does
MIM_PACKAGES = [
    'openmim==0.3.9', 'click', 'colorama', 'model-index', 'pandas', 'requests',
    'rich', 'tabulate'
]

_cache: Dict[str, Dict[str, Path]] = {}


def _run(cmd: List[str], cwd: Path, timeout: int = 600) -> str:
    proc = subprocess.run([str(c) for c in cmd],
                          cwd=str(cwd),
                          stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT,
                          text=True,
                          timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError(f'{" ".join(map(str, cmd))} failed:\n'
                           f'{proc.stdout[-4000:]}')
    return proc.stdout


def _copy_repository(dst: Path) -> Path:
    files = _run([
        'git', 'ls-files', '-z', '--cached', '--others', '--exclude-standard'
    ], REPO_ROOT).split('\0')
    for name in filter(None, files):
        src = REPO_ROOT / name
        if not os.path.lexists(src):  # deleted in the working tree
            continue
        target = dst / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if src.is_symlink():
            os.symlink(os.readlink(src), target)
        else:
            shutil.copy2(src, target)
    return dst


def installed_venv(base: Path, mim: bool = True) -> Dict[str, Path]:
    """The session's fresh environment with this repository installed.

    Args:
        base: a session-wide temporary folder; used on the first call.
        mim: also install openmim from the package index.

    Returns:
        dict: ``python`` (its interpreter), ``bin`` (its scripts folder),
        ``site`` (its site-packages) and ``package`` (the installed
        ``mmkd_logits`` folder).
    """
    if 'venv' in _cache:
        return _cache['venv']
    base = Path(base) / 'installed'
    venv = base / 'venv'
    subprocess.run([sys.executable, '-m', 'venv', '--without-pip',
                    str(venv)],
                   check=True,
                   timeout=300)
    python = venv / 'bin' / 'python'
    site = Path(
        _run([
            python, '-c', 'import sysconfig; print(sysconfig.'
            "get_paths()['purelib'])"
        ], base).strip())
    ours = {sysconfig.get_paths()['purelib'], sysconfig.get_paths()['platlib']}
    (site / '_reuse_test_env.pth').write_text('\n'.join(sorted(ours)) + '\n')
    src = _copy_repository(base / 'src')
    # --ignore-installed: never touch the test environment's (editable)
    # mmkd_logits; --no-build-isolation: build with its setuptools
    _run([
        python, '-m', 'pip', 'install', '--no-deps', '--ignore-installed',
        '--no-build-isolation', '--no-input',
        str(src)
    ], base)
    if mim:
        _run([
            python, '-m', 'pip', 'install', '--no-input', '--no-deps',
            MIM_PACKAGES[0]
        ], base)
        _run([python, '-m', 'pip', 'install', '--no-input', *MIM_PACKAGES[1:]],
             base)
    package = Path(
        _run([
            python, '-c', 'import mmkd_logits, os; print(os.'
            'path.dirname(mmkd_logits.__file__))'
        ], base).strip())
    if package.parent != site:
        raise RuntimeError(f'the installed mmkd_logits is shadowed: import '
                           f'finds {package}, not the copy in {site}')
    _cache['venv'] = dict(
        python=python, bin=venv / 'bin', site=site, package=package)
    return _cache['venv']
