"""Atomic checkpoint writes.

mmengine's ``LocalBackend.put`` opens the target file with ``'wb'`` and writes
into it in place, so a run killed while saving leaves a truncated checkpoint
under the final name (mmengine 0.10.x; no upstream fix). :class:`AtomicLocalBackend`
writes to a temporary file in the same directory, flushes and fsyncs it, then
renames it over the target with :func:`os.replace` — the checkpoint on disk is
always either the old complete file or the new complete file.

Configs select it with ``backend_args=dict(backend='atomic_local')`` on the
``CheckpointHook`` (``configs/_base_/default_runtime.py`` does).
"""
import os
import os.path as osp
import tempfile
from pathlib import Path
from typing import Union

from mmengine.fileio import LocalBackend, register_backend
from mmengine.fileio.backends import backends as _registered

BACKEND_NAME = 'atomic_local'


def atomic_write_bytes(obj: bytes, filepath: Union[str, Path]) -> None:
    """Write ``obj`` to ``filepath`` so that readers never see a partial file."""
    filepath = str(filepath)
    folder = osp.dirname(osp.abspath(filepath))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix='.' + osp.basename(filepath) + '.',
                               suffix='.tmp', dir=folder)
    try:
        with os.fdopen(fd, 'wb') as f:
            f.write(obj)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, filepath)
    except BaseException:
        if osp.exists(tmp):
            os.remove(tmp)
        raise
    try:  # make the rename itself durable
        dir_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except OSError:
        pass


class AtomicLocalBackend(LocalBackend):
    """mmengine ``LocalBackend`` whose writes are atomic (temp file + rename)."""

    def put(self, obj: bytes, filepath: Union[str, Path]) -> None:
        atomic_write_bytes(obj, filepath)

    def put_text(self, obj: str, filepath: Union[str, Path],
                 encoding: str = 'utf-8') -> None:
        atomic_write_bytes(obj.encode(encoding), filepath)


def apply() -> bool:
    """Register the ``atomic_local`` file backend once."""
    if _registered.get(BACKEND_NAME) is AtomicLocalBackend:
        return False
    register_backend(BACKEND_NAME, AtomicLocalBackend, force=True)
    return True
