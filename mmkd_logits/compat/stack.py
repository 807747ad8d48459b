"""Checks that the upstream stack is installed and compatible.

Every failure is turned into one :class:`ImportError` that says what is wrong
and what to install, instead of a deep traceback from inside a dependency.
"""
from importlib.metadata import PackageNotFoundError, version
from importlib.util import find_spec
from typing import List, Tuple

#: (distribution, importable module, inclusive minimum, exclusive maximum)
REQUIREMENTS: List[Tuple[str, str, str, str]] = [
    ('torch', 'torch', '2.0.0', '3.0.0'),
    ('mmengine', 'mmengine', '0.10.0', '0.11.0'),
    ('mmpretrain', 'mmpretrain', '1.2.0', '1.3.0'),
    ('mmrazor', 'mmrazor', '1.0.0', '1.1.0'),
    ('joblib', 'joblib', '0.0.0', '99.0.0'),
]

INSTALL_HINT = ('Install the stack with the command from the README: '
                '`pip install -e ".[tests]"` (matched torch/torchvision, '
                'mmengine 0.10.x, mmcv-lite 2.1.0, mmpretrain 1.2.x, '
                'mmrazor 1.0.0, joblib, setuptools<82).')


class StackError(ImportError):
    """Raised when the installed upstream stack cannot run mmkd_logits."""


def _vtuple(text: str) -> Tuple[int, ...]:
    """Numeric release tuple of a version ('2.1.0rc1+cu121' → (2, 1, 0))."""
    out = []
    for part in text.split('+')[0].split('.'):
        digits = ''
        for ch in part:
            if not ch.isdigit():
                break
            digits += ch
        out.append(int(digits) if digits else 0)
        if digits != part:
            break
    return tuple(out)


def _installed_version(dist: str) -> str:
    try:
        return version(dist)
    except PackageNotFoundError:
        return ''


def mmcv_version() -> str:
    """Version of whichever of ``mmcv`` / ``mmcv-lite`` is installed."""
    return _installed_version('mmcv') or _installed_version('mmcv-lite')


def check_stack() -> None:
    """Raise :class:`StackError` naming every missing or incompatible piece."""
    problems = []
    for dist, module, low, high in REQUIREMENTS:
        found = _installed_version(dist)
        if not found:
            problems.append(f'{dist} is not installed')
        elif not (_vtuple(low) <= _vtuple(found) < _vtuple(high)):
            problems.append(
                f'{dist}=={found} is installed, but >={low},<{high} is needed')
    mmcv = mmcv_version()
    if not mmcv:
        problems.append('neither mmcv nor mmcv-lite is installed '
                        '(install mmcv-lite==2.1.0)')
    elif not (_vtuple('2.0.0') <= _vtuple(mmcv) <= _vtuple('2.1.0')):
        problems.append(
            f'mmcv {mmcv} is installed, but mmrazor 1.0.0 accepts only '
            'mmcv<=2.1.0: `pip uninstall -y mmcv mmcv-lite && '
            'pip install mmcv-lite==2.1.0`')
    if find_spec('pkg_resources') is None:
        problems.append('pkg_resources is missing (mmengine needs it for '
                        '`mmpretrain::` config paths): '
                        'pip install "setuptools<82"')
    if problems:
        raise StackError('mmkd_logits cannot run on this environment:\n  - ' +
                         '\n  - '.join(problems) + '\n' + INSTALL_HINT)
    check_torchvision()


def check_torchvision() -> None:
    """Import torchvision and turn a torch/torchvision mismatch into advice."""
    import torch
    if not _installed_version('torchvision'):
        raise StackError(
            'torchvision is not installed (mmpretrain needs it). ' +
            INSTALL_HINT)
    try:
        import torchvision  # noqa: F401
        torch.ops.torchvision.nms  # noqa: B018 (the op a mismatch lacks)
    except (RuntimeError, AttributeError, ImportError, OSError) as err:
        raise StackError(
            f'torchvision {_installed_version("torchvision")} does not match '
            f'torch {torch.__version__} ({type(err).__name__}: {err}). '
            'torch and torchvision must be one matched pair of builds; a '
            'CPU-only torch (`+cpu`) has no matching torchvision on PyPI. '
            'Fix: `pip uninstall -y torch torchvision && pip install torch '
            'torchvision` (the registry\'s CUDA builds run on CPU too).'
        ) from None
