"""Reading and writing checkpoint files outside a runner, as every tool does.

* :func:`add_trust_argument` / :func:`trust_checkpoints`: the one
  ``--trust-checkpoint PATH`` option of every tool, with one meaning: the
  listed files may be fully unpickled if a weights-only load refuses them
  (:mod:`mmkd_logits.compat.checkpoint`); every other file loads with
  ``weights_only=True``.
* :func:`load_checkpoint_file`: that policy for one file, without mmengine's
  runner.
* :func:`split_checkpoint`: the state dict and ``meta`` of what was loaded.
* :func:`plain_meta`: metadata reduced to plain Python data.
* :func:`save_checkpoint`: ``{'state_dict', 'meta'}`` written atomically.
"""
import argparse
import os.path as osp
from collections import OrderedDict
from typing import Any, Dict, Iterable, Mapping, Tuple

__all__ = [
    'TRUST_HELP', 'add_trust_argument', 'trust_checkpoints',
    'load_checkpoint_file', 'split_checkpoint', 'plain_meta', 'save_checkpoint'
]

#: the help text of ``--trust-checkpoint`` in every tool
TRUST_HELP = ('allow full unpickling of this checkpoint file if a '
              'weights-only load refuses it (it could run code stored in '
              'the file: only for files you trust); every other checkpoint '
              'loads with weights_only=True. Repeatable.')

_PLAIN = (str, int, float, bool, type(None))


def add_trust_argument(parser: argparse.ArgumentParser) -> None:
    """Add ``--trust-checkpoint PATH`` (repeatable) to ``parser``."""
    parser.add_argument(
        '--trust-checkpoint',
        action='append',
        default=[],
        metavar='PATH',
        help=TRUST_HELP)


def trust_checkpoints(paths: Iterable[str]) -> None:
    """Register every path of ``--trust-checkpoint`` for full unpickling."""
    from ..compat import trust_file
    for path in paths or ():
        trust_file(path)


def load_checkpoint_file(path: str, map_location: Any = 'cpu') -> Any:
    """Load ``path`` with the package's policy (weights-only unless
    trusted).

    Raises:
        FileNotFoundError: ``path`` is not a file.
        UntrustedCheckpointError: the file needs full unpickling and is not
            trusted (the message says how to opt in).
    """
    from ..compat.checkpoint import load
    return load(path, map_location=map_location)


def split_checkpoint(loaded: Any,
                     path: str = 'the checkpoint') -> Tuple[Any, Dict]:
    """``(state_dict, meta)`` of a loaded checkpoint.

    An mmengine checkpoint ``{'state_dict': ..., 'meta': ...}`` gives both;
    a bare state dict gives ``meta = {}``.

    Raises:
        ValueError: ``loaded`` is not a dict.
    """
    if not isinstance(loaded, Mapping):
        raise ValueError(f'{path}: not a checkpoint (got '
                         f'{type(loaded).__name__})')
    if 'state_dict' in loaded:
        meta = loaded.get('meta') or {}
        return loaded['state_dict'], dict(meta) if isinstance(meta,
                                                              Mapping) else {}
    return loaded, {}


def plain_meta(value: Any) -> Any:
    """Keep only plain Python data (what ``weights_only=True`` loads).

    Dicts with string keys, lists/tuples (as lists) and ``str`` / ``int`` /
    ``float`` / ``bool`` / ``None`` are kept; numpy scalars become Python
    numbers; anything else (arrays, objects) is dropped — a list holding
    such an item is dropped whole, and ``None`` is returned for it at the
    top level.
    """
    if isinstance(value, _PLAIN):
        return value
    item = getattr(value, 'item', None)
    if callable(item) and getattr(value, 'ndim', None) == 0 and \
            type(value).__module__.split('.')[0] == 'numpy':
        out = item()
        return out if isinstance(out, _PLAIN) else None
    if isinstance(value, Mapping):
        out = {}
        for key, val in value.items():
            if not isinstance(key, str):
                continue
            plain = plain_meta(val)
            if plain is not None or val is None:
                out[key] = plain
        return out
    if isinstance(value, (list, tuple)):
        items = [plain_meta(v) for v in value]
        if any(i is None and v is not None for i, v in zip(items, value)):
            return None
        return items
    return None


def save_checkpoint(state_dict: Mapping[str, Any], meta: Mapping[str, Any],
                    path: str) -> str:
    """Write ``{'state_dict': ..., 'meta': ...}`` to ``path`` atomically
    (temporary file, fsync, rename); the folder is created. Returns the
    absolute path."""
    from ..compat.fileio import atomic_torch_save
    path = osp.abspath(osp.expanduser(str(path)))
    atomic_torch_save(
        {
            'state_dict': OrderedDict(state_dict),
            'meta': dict(meta)
        }, path)
    return path
