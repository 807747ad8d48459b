"""Checkpoints that load with ``torch.load(weights_only=True)``."""
from typing import Any, Dict

from mmengine.hooks import Hook
from mmengine.logging import HistoryBuffer
from mmrazor.registry import HOOKS

_MARK = '__mmkd_history_buffer__'


def _buffer_to_plain(buffer: HistoryBuffer) -> Dict[str, Any]:
    logs, counts = buffer.data
    return {
        _MARK: True,
        'log_history': [float(v) for v in logs.tolist()],
        'count_history': [float(v) for v in counts.tolist()],
        'max_length': int(buffer.max_length),
    }


def _plain_to_buffer(state: Dict[str, Any]) -> HistoryBuffer:
    return HistoryBuffer(state['log_history'], state['count_history'],
                         state['max_length'])


@HOOKS.register_module()
class WeightsOnlyCheckpointHook(Hook):
    """Write checkpoints that a weights-only ``torch.load`` accepts.

    mmengine stores the message hub's :class:`~mmengine.logging.HistoryBuffer`
    objects in every checkpoint; unpickling them needs ``builtins.getattr``,
    which torch >= 2.6's default ``weights_only=True`` loading rightly
    refuses. This hook replaces each buffer by a plain dict (lists of floats)
    just before a checkpoint is saved and rebuilds the buffers right after a
    checkpoint is loaded, so ``--resume`` restores the logs exactly while
    the file itself contains nothing but tensors and plain Python data:
    teachers, ``load_from`` and ``tools/test.py`` can load it without
    trusting it.

    It has no arguments; ``configs/_base_/*_runtime.py`` enable it with
    ``custom_hooks = [dict(type=WeightsOnlyCheckpointHook)]``.
    """

    priority = 'VERY_LOW'

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        for scalars, key, value in _log_scalars(checkpoint):
            if isinstance(value, HistoryBuffer):
                scalars[key] = _buffer_to_plain(value)

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        for scalars, key, value in _log_scalars(checkpoint):
            if isinstance(value, dict) and value.get(_MARK):
                scalars[key] = _plain_to_buffer(value)


def _log_scalars(checkpoint: dict):
    """``(scalars, key, value)`` of the message hub's logged scalars."""
    hub = checkpoint.get('message_hub')
    scalars = hub.get('log_scalars', {}) if isinstance(hub, dict) else {}
    for key, value in list(scalars.items()):
        yield scalars, key, value
