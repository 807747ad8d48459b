"""Linear warm-up of the distillation losses (DKD, RLD, SD-DKD recipes)."""
from typing import Dict, Optional, Sequence

from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from mmrazor.registry import HOOKS

__all__ = ['DistillLossWarmupHook']


@HOOKS.register_module()
class DistillLossWarmupHook(Hook):
    """Scale the distillation losses by ``min(epoch / warmup_epochs, 1)``.

    The recipes of DKD, RLD and SD-DKD multiply their distillation loss by a
    linear warm-up factor with 1-based epochs (epoch 1 of 20 gives 0.05).
    mmrazor's ``ConfigurableDistiller`` has no schedule, so this hook sets
    ``loss_weight = base · factor`` on each module of
    ``model.distiller.distill_losses`` before every training iteration; the
    base weight is the one the loss was built with (read once, in
    ``before_train``).

    The factor is recomputed from the runner's epoch / iteration counters
    every iteration, so it is right after ``--resume``:

    - ``by_epoch=True``: ``min((epoch + 1) / warmup_epochs, 1)`` with the
      runner's 0-based ``epoch`` (constant within an epoch);
    - ``by_epoch=False``: ``min((iter + 1) / (warmup_epochs · I), 1)`` with
      ``I = len(train_dataloader)``: the same ramp, growing per iteration.

    The factor is logged as ``distill_warmup_factor`` (message-hub scalar
    ``train/distill_warmup_factor``). After training the base weights are
    restored.

    Args:
        warmup_epochs: length of the ramp in epochs (``0`` disables it: the
            factor is always 1). Defaults to 20.
        by_epoch: step the factor per epoch (``True``) or per iteration.
            Defaults to True.
        loss_names: names in ``distill_losses`` to scale (e.g.
            ``['loss_dkd']``); ``None`` scales every distillation loss.
            Defaults to None.
    """

    priority = 'NORMAL'

    def __init__(self, warmup_epochs: float = 20, by_epoch: bool = True,
                 loss_names: Optional[Sequence[str]] = None) -> None:
        try:
            warmup = float(warmup_epochs)
        except (TypeError, ValueError):
            raise ValueError('DistillLossWarmupHook: warmup_epochs must be a '
                             f'number, got {warmup_epochs!r}') from None
        if not warmup >= 0 or warmup == float('inf'):
            raise ValueError('DistillLossWarmupHook: warmup_epochs must be a '
                             f'finite number >= 0, got {warmup_epochs!r}')
        if not isinstance(by_epoch, bool):
            raise ValueError('DistillLossWarmupHook: by_epoch must be a bool, '
                             f'got {by_epoch!r}')
        self.warmup_epochs = warmup
        self.by_epoch = by_epoch
        self.loss_names = None if loss_names is None else list(loss_names)
        self._base: Dict[str, float] = {}
        self.factor: float = 1.0

    # ------------------------------------------------------------ helpers
    @staticmethod
    def _distill_losses(runner) -> dict:
        model = runner.model
        if is_model_wrapper(model):
            model = model.module
        distiller = getattr(model, 'distiller', None)
        losses = getattr(distiller, 'distill_losses', None)
        if losses is None:
            raise ValueError(
                'DistillLossWarmupHook needs a distillation model with '
                '`distiller.distill_losses` (e.g. mmrazor SingleTeacherDistill '
                f'with ConfigurableDistiller); got {type(model).__name__}')
        return losses

    def _selected(self, runner) -> dict:
        losses = self._distill_losses(runner)
        names = list(losses.keys()) if self.loss_names is None else \
            self.loss_names
        missing = [n for n in names if n not in losses]
        if missing:
            raise ValueError(f'DistillLossWarmupHook: loss_names {missing} '
                             'are not in distiller.distill_losses '
                             f'{list(losses.keys())}')
        selected = {n: losses[n] for n in names}
        no_weight = [n for n, m in selected.items()
                     if not hasattr(m, 'loss_weight')]
        if no_weight:
            raise ValueError(f'DistillLossWarmupHook: distillation losses '
                             f'{no_weight} have no `loss_weight` attribute '
                             'to scale')
        return selected

    def compute_factor(self, runner) -> float:
        """The warm-up factor for the iteration about to run."""
        if self.warmup_epochs == 0:
            return 1.0
        if self.by_epoch:
            progress = (runner.epoch + 1) / self.warmup_epochs
        else:
            iters_per_epoch = len(runner.train_dataloader)
            progress = (runner.iter + 1) / (
                self.warmup_epochs * iters_per_epoch)
        return min(progress, 1.0)

    # -------------------------------------------------------------- hooks
    def before_train(self, runner) -> None:
        """Record each distillation loss's base ``loss_weight`` once."""
        for name, module in self._selected(runner).items():
            self._base.setdefault(name, module.loss_weight)

    def before_train_iter(self, runner, batch_idx: int,
                          data_batch=None) -> None:
        """Set ``loss_weight = base · factor`` and log the factor."""
        selected = self._selected(runner)
        for name, module in selected.items():
            self._base.setdefault(name, module.loss_weight)
        self.factor = self.compute_factor(runner)
        for name, module in selected.items():
            module.loss_weight = self._base[name] * self.factor
        runner.message_hub.update_scalar('train/distill_warmup_factor',
                                         self.factor)

    def after_train(self, runner) -> None:
        """Restore the base weights."""
        losses = self._distill_losses(runner)
        for name, base in self._base.items():
            if name in losses:
                losses[name].loss_weight = base
