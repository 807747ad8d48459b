"""Stop training at the first non-finite loss, naming it."""
import math
import os.path as osp
from typing import Optional

from mmengine.hooks import Hook
from mmrazor.registry import HOOKS

__all__ = ['NonFiniteLossError', 'NonFiniteLossHook']


class NonFiniteLossError(RuntimeError):
    """A training loss became NaN or infinite."""


@HOOKS.register_module()
class NonFiniteLossHook(Hook):
    """Stop the run at the first iteration whose loss is NaN or infinite.

    A NaN loss never trains silently: after every training iteration the
    logged values of the step (``loss`` and each ``...loss...`` term,
    ``distill.loss_*`` included) are checked; the first non-finite one stops
    the run with :class:`NonFiniteLossError` naming the iteration, the epoch,
    every non-finite term, and the checkpoint to resume from. It reads the
    values mmengine's ``RuntimeInfoHook`` has already copied to the host for
    the log, so it adds no device synchronisation. The step that produced
    the NaN has been taken; nothing is saved after it (this hook runs
    before the checkpoint hook).

    It has no arguments; the runtime configs enable it.
    """

    priority = 'ABOVE_NORMAL'

    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch=None,
                         outputs: Optional[dict] = None) -> None:
        if not outputs:
            return
        bad = {}
        scalars = runner.message_hub.log_scalars
        for key in outputs:
            logged = scalars.get(f'train/{key}')
            if 'loss' not in key or logged is None:
                continue
            number = logged.current()
            if not math.isfinite(number):
                bad[key] = number
        if not bad:
            return
        terms = ', '.join(f'{k} = {v}' for k, v in bad.items())
        last = osp.join(runner.work_dir, 'last_checkpoint')
        resume = (f'`--resume` continues from the last checkpoint written '
                  f'before it (see {last})') if osp.exists(last) else \
            'no checkpoint was written yet: start again'
        raise NonFiniteLossError(
            f'non-finite loss at iteration {runner.iter + 1} (epoch '
            f'{runner.epoch + 1}): {terms}. Training stopped instead of '
            'going on with NaN weights. Likely causes: a learning rate too '
            'high for this batch size, AMP overflow, or bad input data. '
            f'After fixing the cause, {resume}.')
