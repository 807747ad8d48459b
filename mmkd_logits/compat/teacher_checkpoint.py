"""Strict loading of ``teacher_ckpt`` in mmrazor's ``SingleTeacherDistill``.

Upstream behaviour: mmrazor 1.0.0 loads ``teacher_ckpt`` with mmengine's
``load_checkpoint(..., strict=False)``, which only *logs* missing and
unexpected keys. A checkpoint of another architecture, or one whose keys
carry a different prefix, therefore leaves the teacher randomly initialised
and the whole run distils noise without an error (no upstream issue; see
``mmrazor/models/algorithms/distill/configurable/single_teacher_distill.py``).

This module replaces the ``load_checkpoint`` name *inside that mmrazor module
only* with :func:`load_teacher_checkpoint`, which raises
:class:`TeacherCheckpointError` naming the missing, unexpected and
mis-shaped keys. BatchNorm ``num_batches_tracked`` counters, which older
checkpoints omit, are the only keys allowed to be missing.
"""
import re
from collections import OrderedDict
from typing import Any, Dict, List, Optional

from torch import nn

__all__ = ['TeacherCheckpointError', 'load_teacher_checkpoint', 'apply']

_MODULE = ('mmrazor.models.algorithms.distill.configurable.'
           'single_teacher_distill')


class TeacherCheckpointError(ValueError):
    """The teacher checkpoint's keys do not fit the teacher model."""


def _state_dict_of(checkpoint: Any, filename: str) -> Dict[str, Any]:
    if isinstance(checkpoint, dict) and 'state_dict' in checkpoint:
        checkpoint = checkpoint['state_dict']
    elif isinstance(checkpoint, dict) and 'model' in checkpoint and \
            isinstance(checkpoint['model'], dict):
        raise TeacherCheckpointError(
            f'teacher checkpoint {filename!r} holds its weights under '
            '"model" (a CRD/mdistiller checkpoint): convert it first with '
            '`python tools/convert_mdistiller_ckpt.py ARCH SRC DST`')
    if not isinstance(checkpoint, dict):
        raise TeacherCheckpointError(
            f'teacher checkpoint {filename!r} is not a state dict '
            f'(got {type(checkpoint).__name__})')
    return OrderedDict(
        (re.sub(r'^module\.', '', k), v) for k, v in checkpoint.items())


def _listing(title: str, keys: List[str], limit: int = 12) -> str:
    shown = ', '.join(keys[:limit])
    more = f' ... (+{len(keys) - limit} more)' if len(keys) > limit else ''
    return f'\n  {title} ({len(keys)}): {shown}{more}'


def load_teacher_checkpoint(model: nn.Module,
                            filename: str,
                            map_location: Optional[Any] = 'cpu',
                            strict: bool = True,
                            logger: Optional[Any] = None,
                            **kwargs) -> Dict[str, Any]:
    """Load ``filename`` into the teacher ``model``; refuse keys that do not
    fit.

    Args:
        model: the teacher.
        filename: a local path or URL that mmengine's ``CheckpointLoader``
            understands (local files load with ``weights_only=True``, see
            :mod:`mmkd_logits.compat.checkpoint`).
        map_location: where tensors are loaded.
        strict, logger, kwargs: accepted for signature compatibility with
            mmengine's ``load_checkpoint``; loading is always strict.

    Returns:
        dict: the loaded checkpoint.
    """
    from mmengine.runner.checkpoint import _load_checkpoint
    checkpoint = _load_checkpoint(filename, map_location=map_location)
    state = _state_dict_of(checkpoint, filename)
    own = model.state_dict()
    missing = [
        k for k in own
        if k not in state and not k.endswith('num_batches_tracked')
    ]
    unexpected = [k for k in state if k not in own]
    mis_shaped = [
        f'{k} {tuple(state[k].shape)} vs {tuple(own[k].shape)}' for k in own
        if k in state and hasattr(state[k], 'shape')
        and tuple(state[k].shape) != tuple(own[k].shape)
    ]
    if missing or unexpected or mis_shaped:
        raise TeacherCheckpointError(
            f'teacher checkpoint {filename!r} does not fit the teacher model '
            f'({type(model).__name__}):' +
            (_listing('missing keys', missing) if missing else '') +
            (_listing('unexpected keys', unexpected) if unexpected else '') +
            (_listing('shape mismatches (checkpoint vs model)', mis_shaped
                      ) if mis_shaped else '') +
            '\nCheck that model.teacher is the architecture the checkpoint '
            'was trained with (and convert CRD/mdistiller checkpoints with '
            'tools/convert_mdistiller_ckpt.py).')
    model.load_state_dict(state, strict=False)  # only counters may be absent
    return checkpoint


def apply() -> bool:
    """Make mmrazor's ``SingleTeacherDistill`` load ``teacher_ckpt``
    strictly."""
    import importlib
    module = importlib.import_module(_MODULE)
    if getattr(module, 'load_checkpoint', None) is load_teacher_checkpoint:
        return False
    module.load_checkpoint = load_teacher_checkpoint
    return True
