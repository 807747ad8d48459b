"""Log per-term distillation diagnostics and the teacher's batch accuracy."""
from typing import Dict, List, Optional, Sequence, Tuple

import torch
from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmengine.model import is_model_wrapper
from torch import Tensor, nn

from mmrazor.registry import HOOKS

__all__ = ['DistillDiagnosticsHook']


@HOOKS.register_module()
class DistillDiagnosticsHook(Hook):
    """Log what every distillation loss is made of, after each iteration.

    Every loss of this package keeps, from its last forward, the detached
    batch means of its terms in ``last_terms`` (already weighted, × its
    ``loss_weight``, so that for ``reduction='batchmean'`` they sum to the
    logged ``distill.<loss_name>``) and, for some, dimensionless statistics
    in ``last_stats``:

    =============  ====================================  =====================
    loss           ``last_terms``                        ``last_stats``
    =============  ====================================  =====================
    ``LDRLDLoss``  ``local``, ``rntk``                   —
    ``RLDLoss``    ``scd``, ``mcd``                      —
    ``SDDLoss``    ``consistent``, ``complementary``     ``complementary_frac``
    ``AEKTLoss``   ``tckd``, ``nckd``                    ``ratio``
    =============  ====================================  =====================

    After each training iteration this hook puts them into the runner's
    message hub as ``train/diag/<loss_name>/<term>`` — so mmengine's logger
    prints them and the visualizer backends (TensorBoard, W&B, ...) receive
    them like the losses — together with the teacher's top-1 accuracy (in %)
    on the training batch, ``train/diag/teacher_top1``. Losses without these
    attributes (mmrazor's ``KLDivergence``, ``DKDLoss``) are skipped. The
    warm-up factor is logged by ``DistillLossWarmupHook`` as
    ``train/distill_warmup_factor``.

    Cost: the losses compute a handful of scalar means on the device; the
    teacher's logits are taken from a forward hook on its classifier (no
    extra forward); all values reach the host in one transfer per logged
    iteration. The values are consumed when read, so a loss that did not run
    in an iteration (e.g. after distillation was stopped) logs nothing.

    Args:
        interval: log every ``interval`` training iterations. Defaults to 1
            (mmengine's logger then averages the ``loss`` terms over its own
            window like the losses themselves).
        teacher_logits: name, in ``teacher.named_modules()``, of the module
            whose output are the teacher's logits ``[B, C]``; ``None``
            disables the teacher accuracy. Defaults to ``'head.fc'``.
        prefix: message-hub key prefix. Defaults to ``'train/diag'``.
    """

    priority = 'NORMAL'  # before LoggerHook (BELOW_NORMAL) in after_train_iter

    def __init__(self,
                 interval: int = 1,
                 teacher_logits: Optional[str] = 'head.fc',
                 prefix: str = 'train/diag') -> None:
        if isinstance(interval, bool) or not isinstance(interval, int) or \
                interval < 1:
            raise ValueError('DistillDiagnosticsHook: interval must be a '
                             f'positive integer, got {interval!r}')
        if teacher_logits is not None and not isinstance(teacher_logits, str):
            raise ValueError('DistillDiagnosticsHook: teacher_logits must be '
                             f'a module name or None, got {teacher_logits!r}')
        self.interval = interval
        self.teacher_logits = teacher_logits
        self.prefix = prefix.rstrip('/')
        self._handle = None
        self._teacher_out: Optional[Tensor] = None

    # ------------------------------------------------------------ helpers
    @staticmethod
    def _unwrap(runner) -> nn.Module:
        model = runner.model
        return model.module if is_model_wrapper(model) else model

    @classmethod
    def _distill_losses(cls, runner) -> Dict[str, nn.Module]:
        distiller = getattr(cls._unwrap(runner), 'distiller', None)
        losses = getattr(distiller, 'distill_losses', None)
        return dict(losses.items()) if losses is not None else {}

    def _record_teacher(self, module: nn.Module, inputs: Tuple,
                        output) -> None:
        if isinstance(output, Tensor):
            self._teacher_out = output.detach()

    @staticmethod
    def _labels(data_batch) -> Optional[Tensor]:
        samples = data_batch.get('data_samples') if isinstance(
            data_batch, dict) else None
        if not samples:
            return None
        labels = [getattr(s, 'gt_label', None) for s in samples]
        if any(label is None or label.numel() != 1 for label in labels):
            return None  # no label, or multi-label samples
        return torch.cat([label.reshape(1) for label in labels])

    def collect(self, runner, data_batch=None) -> Dict[str, Tensor]:
        """The diagnostics of the last iteration as device scalars.

        Reading consumes the losses' ``last_terms`` / ``last_stats`` and the
        recorded teacher logits.

        Args:
            runner: the runner.
            data_batch: the iteration's data (for the labels).

        Returns:
            dict: ``{message-hub key: scalar tensor}``.
        """
        out: Dict[str, Tensor] = {}
        for name, loss in self._distill_losses(runner).items():
            for attr in ('last_terms', 'last_stats'):
                values = getattr(loss, attr, None)
                if not values:
                    continue
                for term, value in values.items():
                    out[f'{self.prefix}/{name}/{term}'] = value
                setattr(loss, attr, {})
        logits, self._teacher_out = self._teacher_out, None
        labels = self._labels(data_batch)
        if logits is not None and labels is not None and logits.dim() == 2 \
                and logits.shape[0] == labels.shape[0]:
            labels = labels.to(logits.device, non_blocking=True)
            correct = logits.argmax(dim=-1) == labels
            out[f'{self.prefix}/teacher_top1'] = correct.float().mean() * 100
        return out

    # -------------------------------------------------------------- hooks
    def before_train(self, runner) -> None:
        """Attach a forward hook to the teacher's classifier."""
        if self.teacher_logits is None or self._handle is not None:
            return
        teacher = getattr(self._unwrap(runner), 'teacher', None)
        modules = dict(teacher.named_modules()) if isinstance(
            teacher, nn.Module) else {}
        module = modules.get(self.teacher_logits)
        if module is None:
            print_log(
                f'DistillDiagnosticsHook: the teacher has no module '
                f'{self.teacher_logits!r}; the teacher accuracy is not '
                'logged (set teacher_logits to its classifier)',
                logger='current', level=30)
            return
        self._handle = module.register_forward_hook(self._record_teacher)

    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch=None,
                         outputs=None) -> None:
        """Put the diagnostics of this iteration into the message hub."""
        if not self.every_n_train_iters(runner, self.interval):
            # drop this iteration's values; the next logged one is fresh
            self.collect(runner, None)
            return
        values = self.collect(runner, data_batch)
        if not values:
            return
        keys: List[str] = list(values)
        scalars = [values[k].detach().float().reshape(()) for k in keys]
        if len({v.device for v in scalars}) == 1:
            # one device-to-host transfer for all scalars
            numbers: Sequence[float] = torch.stack(scalars).tolist()
        else:
            numbers = [float(v) for v in scalars]
        hub = runner.message_hub
        for key, number in zip(keys, numbers):
            hub.update_scalar(key, number)

    def after_train(self, runner) -> None:
        """Remove the forward hook."""
        if self._handle is not None:
            self._handle.remove()
            self._handle = None
        self._teacher_out = None
