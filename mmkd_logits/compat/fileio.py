"""Atomic checkpoint writes.

mmengine's ``LocalBackend.put`` opens the target file with ``'wb'`` and writes
into it in place, so a run killed while saving leaves a truncated checkpoint
under the final name (mmengine 0.10.x; no upstream fix).
:class:`AtomicLocalBackend`
writes to a temporary file in the same directory, flushes and fsyncs it, then
renames it over the target with :func:`os.replace` — the checkpoint on disk is
always either the old complete file or the new complete file.

Configs select it with ``backend_args=dict(backend='atomic_local')`` on the
``CheckpointHook`` (``configs/_base_/default_runtime.py`` does).

The temporary file is ``.<name>.<pid>.<random>.tmp`` next to the target,
created with the permissions a plain ``open()`` would give (``0666`` minus
the umask; ``tempfile.mkstemp`` would make checkpoints private to the user).
A process killed between creating and renaming it (SIGKILL, OOM, node
failure) cannot remove it; such leftovers never shadow a checkpoint (the
name differs and ``last_checkpoint`` never points at them) and are removed
by :func:`remove_stale_temp_files` — before each write of the same target,
and by ``tools/train.py`` for the whole work dir at start-up.
"""
import io
import os
import os.path as osp
import re
import uuid
from pathlib import Path
from typing import Any, List, Union

import torch
from mmengine.fileio import LocalBackend, register_backend
from mmengine.fileio.backends import backends as _registered

BACKEND_NAME = 'atomic_local'

_TEMP = re.compile(r'^\.(?P<target>.+)\.(?P<pid>\d+)\.[0-9a-f]{8}\.tmp$')


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, owned by someone else
        return True
    return True


def remove_stale_temp_files(folder: Union[str, Path],
                            target: Union[str, None] = None) -> List[str]:
    """Remove temporary files that a killed :func:`atomic_write_bytes` left.

    Only files named like this module's temporary files
    (``.<name>.<pid>.<hex>.tmp``) whose writing process no longer runs on
    this machine are removed.

    Args:
        folder: the directory to clean (e.g. a work dir).
        target: only clean leftovers of this file name (``epoch_3.pth``);
            ``None`` cleans all.

    Returns:
        list: the removed paths.
    """
    folder = str(folder)
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    removed = []
    for name in names:
        match = _TEMP.match(name)
        if match is None or (target is not None
                             and match.group('target') != target):
            continue
        if _pid_alive(int(match.group('pid'))):
            continue
        path = osp.join(folder, name)
        try:
            os.remove(path)
            removed.append(path)
        except OSError:
            pass
    return removed


def atomic_write_bytes(obj: bytes, filepath: Union[str, Path]) -> None:
    """Write ``obj`` to ``filepath``; readers never see a partial file."""
    filepath = str(filepath)
    folder = osp.dirname(osp.abspath(filepath))
    os.makedirs(folder, exist_ok=True)
    name = osp.basename(filepath)
    remove_stale_temp_files(folder, target=name)
    tmp = osp.join(folder, f'.{name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp')
    # O_EXCL: a fresh file; mode 0o666 minus the umask, as open() gives
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
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


def atomic_torch_save(obj: Any, filepath: Union[str, Path]) -> None:
    """``torch.save`` ``obj`` to ``filepath`` with :func:`atomic_write_bytes`
    (for the tools that write checkpoints outside a Runner)."""
    buffer = io.BytesIO()
    torch.save(obj, buffer)
    atomic_write_bytes(buffer.getvalue(), filepath)


class AtomicLocalBackend(LocalBackend):
    """mmengine ``LocalBackend`` with atomic writes (temp file + rename)."""

    def put(self, obj: bytes, filepath: Union[str, Path]) -> None:
        atomic_write_bytes(obj, filepath)

    def put_text(self,
                 obj: str,
                 filepath: Union[str, Path],
                 encoding: str = 'utf-8') -> None:
        atomic_write_bytes(obj.encode(encoding), filepath)


def apply() -> bool:
    """Register the ``atomic_local`` file backend once."""
    if _registered.get(BACKEND_NAME) is AtomicLocalBackend:
        return False
    register_backend(BACKEND_NAME, AtomicLocalBackend, force=True)
    return True
