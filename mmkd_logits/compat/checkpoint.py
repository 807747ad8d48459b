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
* full unpickling (``weights_only=False``) happens only for checkpoints a
  run wrote itself and for files the user trusts explicitly: while any
  mmengine ``Runner`` resumes (``--resume`` of mmpretrain's, mmrazor's,
  mim's or our ``tools/train.py``, or ``runner.resume()`` in Python), the
  files inside that runner's own ``work_dir``; files inside a directory
  registered with :func:`trust_directory`; files registered with
  :func:`trust_file` (every tool's ``--trust-checkpoint PATH``) or, for
  everything, the environment variable ``MMKD_TRUST_CHECKPOINTS=1``;
* anything else that needs full unpickling is refused with
  :class:`UntrustedCheckpointError`, which says how to opt in.

So importing the plugin never stops a run from resuming its own
checkpoints, whichever tool started it: without the plugin, torch >= 2.6
refuses them (mmengine's loader does not pass ``weights_only``).

mmengine prints ``Loads checkpoint by <scheme> backend from path: ...`` to
stdout for every load (``Runner.load_checkpoint`` passes no logger); for
local files, which this loader serves, the line is dropped. Downloads keep
it.
"""
import contextlib
import functools
import os
import os.path as osp
import pickle
from typing import Any, Iterator, List, Optional, Set

import torch

TRUST_ENV = 'MMKD_TRUST_CHECKPOINTS'

_trusted_dirs: Set[str] = set()
_trusted_files: Set[str] = set()


class UntrustedCheckpointError(pickle.UnpicklingError):
    """A checkpoint needs full unpickling but was not marked as trusted."""


def _real(path: str) -> str:
    return osp.realpath(osp.abspath(osp.expanduser(str(path))))


def trust_directory(path: str) -> None:
    """Allow full unpickling of checkpoints under ``path``."""
    _trusted_dirs.add(_real(path))


def trust_file(path: str) -> None:
    """Allow full unpickling of the checkpoint file ``path``."""
    _trusted_files.add(_real(path))


@contextlib.contextmanager
def trusted_directory(path: str) -> Iterator[None]:
    """Trust ``path`` (like :func:`trust_directory`) only inside the block."""
    real = _real(path)
    added = real not in _trusted_dirs
    _trusted_dirs.add(real)
    try:
        yield
    finally:
        if added:
            _trusted_dirs.discard(real)


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
    out: List[Any] = [
        HistoryBuffer, _reconstruct, scalar, np.ndarray, np.dtype
    ]
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
        return torch.load(
            filename, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as err:
        if is_trusted(filename):
            return torch.load(
                filename, map_location=map_location, weights_only=False)
        reason = str(err).strip().splitlines()
        raise UntrustedCheckpointError(
            f'Refusing to unpickle checkpoint {filename!r}: it contains '
            f'objects that a weights-only load does not allow '
            f'({reason[-1] if reason else err}). Loading it fully could '
            f'execute code stored in the file; nothing was executed. If you '
            f'trust this file, opt in with `--trust-checkpoint {filename}` '
            f'(any mmkd_logits tool), '
            f'`mmkd_logits.compat.trust_file({filename!r})` in Python, or '
            f'the environment variable {TRUST_ENV}=1 (every file; also for '
            f'tools without the option, e.g. mmpretrain\'s). A run\'s own '
            f'checkpoints need none of this to resume.') from None


def apply() -> bool:
    """Route mmengine's local checkpoint loading through :func:`load`, and
    let every runner's ``resume`` trust its own ``work_dir``.

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
    CheckpointLoader.register_scheme(
        prefixes='', loader=load_from_local, force=True)
    _quiet_local_loads(CheckpointLoader)
    _trust_work_dir_on_resume()
    return True


def load_from_local(filename: str, map_location: Optional[Any]) -> Any:
    """mmengine ``CheckpointLoader`` scheme for local paths (:func:`load`).

    mmengine names the scheme in its log line after this function's name
    (``load_from_<scheme>``): ``Loads checkpoint by local backend``.
    """
    return load(filename, map_location)


def _quiet_local_loads(loader_cls: Any) -> None:
    """Serve local files without mmengine's per-load ``Loads checkpoint by
    local backend from path: ...`` print; other schemes keep it."""
    if getattr(loader_cls.load_checkpoint, '__mmkd_quiet__', False):
        return
    original = loader_cls.load_checkpoint.__func__

    def load_checkpoint(cls, filename, map_location=None, logger='current'):
        if cls._get_checkpoint_loader(filename) is load_from_local:
            return load_from_local(filename, map_location)
        return original(cls, filename, map_location, logger)

    load_checkpoint.__mmkd_quiet__ = True
    load_checkpoint.__doc__ = original.__doc__
    loader_cls.load_checkpoint = classmethod(load_checkpoint)


def _trust_work_dir_on_resume() -> None:
    """While a ``Runner`` resumes, trust the checkpoints of its work dir.

    ``Runner.resume`` loads the checkpoints its own run wrote (mmengine's
    pickled log buffers included); upstream, torch >= 2.6 refuses them
    (open-mmlab/mmengine #1655). Only ``resume`` is wrapped: ``load_from``
    and teachers are weights from elsewhere and stay weights-only.
    """
    from mmengine.runner import Runner
    if getattr(Runner.resume, '__mmkd_trusts_work_dir__', False):
        return
    original = Runner.resume

    @functools.wraps(original)
    def resume(self, filename, *args, **kwargs):
        with trusted_directory(self.work_dir):
            return original(self, filename, *args, **kwargs)

    resume.__mmkd_trusts_work_dir__ = True
    Runner.resume = resume
