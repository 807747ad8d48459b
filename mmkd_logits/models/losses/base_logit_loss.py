"""The one base class of every logit-distillation loss of the package.

A loss states its math in :meth:`BaseLogitLoss.terms` — per-sample terms,
already weighted, whose sum is the per-sample loss — and inherits
everything else, written once here: argument checks, input checks with
clear messages, float32 compute under fp16/bf16 autocast, the detached
teacher, the reduction, ``loss_weight`` and the detached per-term
diagnostics that :class:`~mmkd_logits.models.distillers.LogitDistiller`
logs.
"""
import inspect
from typing import ClassVar, Dict, NamedTuple, Optional, Tuple

import torch
from torch import Tensor, nn

from .utils import check_positive, check_reduction, reduce_loss, to_float32

__all__ = ['BaseLogitLoss', 'LossOutput']


class LossOutput(NamedTuple):
    """What :meth:`BaseLogitLoss.compute` returns.

    Attributes:
        loss: the reduced loss × ``loss_weight`` (``[B]`` for
            ``reduction='none'``).
        terms: detached batch means of the weighted terms × ``loss_weight``;
            for ``'batchmean'`` they sum to ``loss``.
        stats: detached batch means of dimensionless statistics (not part
            of the loss), e.g. AEKT's adaptive ratio.
    """
    loss: Tensor
    terms: Dict[str, Tensor]
    stats: Dict[str, Tensor]


class BaseLogitLoss(nn.Module):
    """Base of the package's logit losses (KD, DKD, RLD, LDRLD, SDD, AEKT).

    A subclass sets :attr:`uses_labels` and implements :meth:`terms`;
    ``forward(preds_S, preds_T[, gt_labels])`` then returns the reduced loss
    (a scalar, or ``[B]`` with ``reduction='none'``) × ``loss_weight``.

    Inputs are checked before anything is computed, with messages that name
    the loss and the tensor: types and dtypes, equal student/teacher shapes,
    enough classes, one integer label per sample (all metadata, no host
    synchronisation) and, when ``check_values`` is true, finite logits and
    labels in ``[0, C)`` (these read the values, one device-to-host
    transfer). A plain call checks both; :class:`LogitDistiller` calls
    :meth:`compute` with ``check_values`` on its first iteration and then
    every ``check_interval`` iterations, so that the training step does not
    wait for the device. A NaN is never zeroed or skipped.

    Args:
        reduction: ``'batchmean'`` (sum over the batch / ``B``), ``'sum'``
            or ``'none'`` (per-sample ``[B]``). Defaults to ``'batchmean'``.
        loss_weight: multiplies the result last. Defaults to 1.0.
    """

    #: whether ``forward`` takes ``gt_labels`` (class indices ``[B]``)
    uses_labels: ClassVar[bool] = False
    #: names returned by :meth:`terms` that are statistics, not loss terms
    stat_names: ClassVar[Tuple[str, ...]] = ()
    #: fewest classes the math is defined for
    min_classes: int = 2
    #: appended to the shape-mismatch message (where to look)
    mismatch_hint: ClassVar[str] = (
        'do student and teacher have the same number of classes, and do '
        'the recorders point at the same layers?')

    def __init__(self,
                 reduction: str = 'batchmean',
                 loss_weight: float = 1.0) -> None:
        super().__init__()
        self.reduction = check_reduction(reduction)
        self.loss_weight = check_positive(
            f'{self._name}: loss_weight', loss_weight, strict=False)

    @property
    def _name(self) -> str:
        return type(self).__name__

    def extra_repr(self) -> str:
        """The constructor's arguments, as the loss holds them."""
        names = list(inspect.signature(type(self).__init__).parameters)[1:]
        return ', '.join(f'{n}={getattr(self, n)!r}' for n in names
                         if hasattr(self, n))

    # ------------------------------------------------------------ the math
    def terms(self, zs: Tensor, zt: Tensor,
              labels: Optional[Tensor]) -> Dict[str, Tensor]:
        """Per-sample weighted terms; their sum is the per-sample loss.

        Args:
            zs: student logits (float32 or float64), checked.
            zt: teacher logits, detached.
            labels: ``int64`` labels, or None if :attr:`uses_labels` is
                false.

        Returns:
            dict: name → tensor of the batch shape; entries named in
            :attr:`stat_names` are statistics, the others are summed.
        """
        raise NotImplementedError

    # -------------------------------------------------------------- shapes
    def split_shape(self, logits: Tensor) -> Tuple[Tuple[int, ...], int]:
        """``(batch shape, number of classes)`` of the logits ``[..., C]``."""
        return tuple(logits.shape[:-1]), logits.shape[-1]

    def check_inputs(self, preds_S: Tensor, preds_T: Tensor,
                     gt_labels: Optional[Tensor]) -> None:
        """Check types, dtypes and shapes (metadata only: no host sync).

        Raises:
            ValueError: naming the loss, the argument and what was expected.
            TypeError: labels given to a loss that takes none, or missing.
        """
        name = self._name
        for arg, x in (('preds_S', preds_S), ('preds_T', preds_T)):
            if not isinstance(x, Tensor):
                raise ValueError(f'{name}: {arg} must be a torch.Tensor, got '
                                 f'{type(x).__name__}')
            if not x.is_floating_point():
                raise ValueError(f'{name}: {arg} must be floating point '
                                 f'logits, got dtype {x.dtype}')
        if preds_S.dim() < 2:
            raise ValueError(f'{name}: logits must be [B, C], got shape '
                             f'{tuple(preds_S.shape)}')
        batch_shape, classes = self.split_shape(preds_S)
        if preds_S.shape != preds_T.shape:
            teacher_classes = self.split_shape(preds_T)[1] if \
                preds_T.dim() == preds_S.dim() else '?'
            raise ValueError(
                f'{name}: student and teacher logits differ in shape: '
                f'preds_S {tuple(preds_S.shape)} vs preds_T '
                f'{tuple(preds_T.shape)} (the student has {classes} '
                f'classes, the teacher {teacher_classes}); '
                f'{self.mismatch_hint}')
        if classes < self.min_classes:
            raise ValueError(
                f'{name}: {self._min_classes_reason()}, got logits of shape '
                f'{tuple(preds_S.shape)} ({classes} classes)')
        if not self.uses_labels:
            if gt_labels is not None:
                raise TypeError(f'{name} does not use gt_labels; remove it '
                                'from the loss_forward_mappings')
            return
        if gt_labels is None:
            raise TypeError(f'{name} needs gt_labels (class indices [B])')
        if not isinstance(gt_labels, Tensor):
            raise ValueError(f'{name}: gt_labels must be a LongTensor, got '
                             f'{type(gt_labels).__name__}')
        if gt_labels.is_floating_point() or gt_labels.is_complex() or \
                gt_labels.dtype == torch.bool:
            raise ValueError(f'{name}: gt_labels must hold integer class '
                             f'indices, got dtype {gt_labels.dtype} (one-hot '
                             'or soft labels are not accepted)')
        if tuple(gt_labels.shape) != batch_shape:
            raise ValueError(f'{name}: gt_labels has shape '
                             f'{tuple(gt_labels.shape)}, expected '
                             f'{batch_shape} (one label per sample)')

    def _min_classes_reason(self) -> str:
        return f'needs at least {self.min_classes} classes'

    def check_values(self, preds_S: Tensor, preds_T: Tensor,
                     gt_labels: Optional[Tensor]) -> None:
        """Refuse non-finite logits and labels outside ``[0, C)``.

        Reads the values (a host synchronisation); the message names the
        tensor, the number of bad entries and the first one.

        Raises:
            ValueError: on the first problem found.
        """
        name = self._name
        for arg, x in (('preds_S', preds_S), ('preds_T', preds_T)):
            bad = ~torch.isfinite(x.detach())
            if bool(bad.any()):
                first = torch.nonzero(bad)[0].tolist()
                raise ValueError(
                    f'{name}: {arg} contains {int(bad.sum())} non-finite '
                    f'value(s) (first at index {first}: '
                    f'{x[tuple(first)].item()}); the model produced NaN/inf '
                    'logits: check the learning rate, AMP loss scaling and '
                    'the input data')
        if gt_labels is None or not gt_labels.numel():
            return
        classes = self.split_shape(preds_S)[1]
        out = (gt_labels < 0) | (gt_labels >= classes)
        if bool(out.any()):
            raise ValueError(f'{name}: labels out of range [0, {classes}): '
                             f'{gt_labels[out][:8].tolist()}')

    # ------------------------------------------------------------- forward
    def forward(self,
                preds_S: Tensor,
                preds_T: Tensor,
                gt_labels: Optional[Tensor] = None) -> Tensor:
        """The loss, inputs checked (values included).

        Args:
            preds_S: student logits ``[B, C]``.
            preds_T: teacher logits of the same shape; detached here.
            gt_labels: class indices ``[B]``, for losses that use them.

        Returns:
            Tensor: the reduced loss × ``loss_weight`` in float32 (float64
            for float64 inputs); ``[B]`` for ``reduction='none'``.
        """
        return self.compute(preds_S, preds_T, gt_labels).loss

    def compute(self,
                preds_S: Tensor,
                preds_T: Tensor,
                gt_labels: Optional[Tensor] = None,
                check_values: bool = True) -> LossOutput:
        """The loss with its detached terms and statistics.

        ``check_values=False`` skips the two checks that read the values
        (finite logits, label range); nothing here then waits for the
        device.
        """
        self.check_inputs(preds_S, preds_T, gt_labels)
        if check_values:
            self.check_values(preds_S, preds_T, gt_labels)
        with torch.autocast(device_type=preds_S.device.type, enabled=False):
            zs, zt = to_float32(preds_S, preds_T.detach())
            labels = None if gt_labels is None else gt_labels.long()
            out = self.terms(zs, zt, labels)
        terms = {k: v for k, v in out.items() if k not in self.stat_names}
        per_sample = sum(terms.values())
        loss = reduce_loss(per_sample, self.reduction) * self.loss_weight
        return LossOutput(loss, {
            k: v.detach().mean() * self.loss_weight
            for k, v in terms.items()
        }, {k: out[k].detach().mean()
            for k in self.stat_names if k in out})
