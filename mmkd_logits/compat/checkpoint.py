"""Safe checkpoint loading for mmengine on torch >= 2.6.

torch 2.6 made ``torch.load(weights_only=True)`` the default. mmengine 0.10.x
calls ``torch.load`` without the argument, and the checkpoints its runner
writes hold a ``message_hub`` with :class:`mmengine.logging.HistoryBuffer`
objects and numpy scalars/arrays, which the weights-only unpickler rejects
(open-mmlab/mmengine issue #1655, PR #1650: "Weights only load failed"
on ``--resume`` and ``load_checkpoint``; unreleased upstream).

Policy (applied by registering mmengine's own local-file checkpoint scheme):

* every checkpoint is first loaded with ``weights_only=True``, with the
  handful of plain-data classes mmengine itself writes allow-listed
  (:data:`SAFE_GLOBALS`) — enough for ``--resume``, ``load_from`` and
  ``teacher_ckpt`` of mmengine/mmpretrain checkpoints;
* full unpickling (``weights_only=False``) happens only for files the user
  trusts explicitly: files inside a directory registered with
  :func:`trust_directory` (``tools/train.py`` registers the run's own
  ``work_dir``), files registered with :func:`trust_file`
  (``tools/train.py --trust-checkpoint PATH``) or, for everything, the
  environment variable ``MMKD_TRUST_CHECKPOINTS=1``;
* anything else that needs full unpickling is refused with
  :class:`UntrustedCheckpointError`, which says how to opt in.
"""
import os
import os.path as osp
import pickle
from typing import Any, List, Optional, Set

import torch

TRUST_ENV = 'MMKD_TRUST_CHECKPOINTS'

_trusted_dirs: Set[str] = set()
_trusted_files: Set[str] = set()


class UntrustedCheckpointError(pickle.UnpicklingError):
    """A checkpoint needs full unpickling but was not marked as trusted."""


def _real(path: str) -> str:
    return osp.realpath(osp.abspath(osp.expanduser(str(path))))


def trust_directory(path: str) -> None:
    """Allow full unpickling of checkpoints under ``path`` (a run's work dir)."""
    _trusted_dirs.add(_real(path))


def trust_file(path: str) -> None:
    """Allow full unpickling of the checkpoint file ``path``."""
    _trusted_files.add(_real(path))


def reset_trust() -> None:
    """Forget every trusted file and directory (used by tests)."""
    _trusted_dirs.clear()
    _trusted_files.clear()


def is_trusted(filename: str) -> bool:
    """Whether ``filename`` may be loaded with full unpickling."""
    if os.environ.get(TRUST_ENV, '').lower() in ('1', 'true', 'yes'):
        return True
    real = _real(filename)
    if real in _trusted_files:
        return True
    return any(real == d or real.startswith(d + os.sep) for d in _trusted_dirs)


def safe_globals() -> List[Any]:
    """Plain-data classes that mmengine writes into its checkpoints."""
    import numpy as np
    from mmengine.logging import HistoryBuffer
    try:  # numpy >= 2
        from numpy._core.multiarray import _reconstruct, scalar
    except ImportError:  # numpy 1.x
        from numpy.core.multiarray import _reconstruct, scalar
    out: List[Any] = [HistoryBuffer, _reconstruct, scalar, np.ndarray,
                      np.dtype]
    dtypes = getattr(np, 'dtypes', None)
    if dtypes is not None:  # numpy >= 1.25: one class per dtype
        out += [getattr(dtypes, n) for n in dir(dtypes) if n.endswith('DType')]
    return out


SAFE_GLOBALS = None  # filled by ``apply`` on torch versions that support it


def load(filename: str, map_location: Optional[Any] = None) -> Any:
    """Load a checkpoint file following the module's policy."""
    filename = osp.expanduser(str(filename))
    if not osp.isfile(filename):
        raise FileNotFoundError(f'{filename} can not be found.')
    try:
        return torch.load(filename, map_location=map_location,
                          weights_only=True)
    except pickle.UnpicklingError as err:
        if is_trusted(filename):
            return torch.load(filename, map_location=map_location,
                              weights_only=False)
        reason = str(err).strip().splitlines()
        raise UntrustedCheckpointError(
            f'Refusing to unpickle checkpoint {filename!r}: it contains '
            f'objects that a weights-only load does not allow '
            f'({reason[-1] if reason else err}). Loading it fully could '
            f'execute code stored in the file. If you trust this file, opt '
            f'in with `tools/train.py ... --trust-checkpoint {filename}` or '
            f'the environment variable {TRUST_ENV}=1.') from None


def apply() -> bool:
    """Route mmengine's local checkpoint loading through :func:`load`.

    Returns:
        bool: True if the loader was installed (torch supports weights-only
        loading with allow-listed globals), False on older torch where
        mmengine's own loader is kept.
    """
    global SAFE_GLOBALS
    if not hasattr(torch.serialization, 'add_safe_globals'):
        return False
    from mmengine.runner.checkpoint import CheckpointLoader
    SAFE_GLOBALS = safe_globals()
    torch.serialization.add_safe_globals(SAFE_GLOBALS)
    CheckpointLoader.register_scheme(prefixes='', loader=_local_loader,
                                     force=True)
    return True


def _local_loader(filename: str, map_location: Optional[Any]) -> Any:
    """mmengine ``CheckpointLoader`` scheme for local paths."""
    return load(filename, map_location)
