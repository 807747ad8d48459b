"""LogitDistiller: the one place that owns a logit-distillation step."""
import inspect
from typing import Any, Dict, List, Mapping, Optional, Set

import torch
from mmengine.logging import MessageHub
from mmrazor.models.distillers import ConfigurableDistiller
from mmrazor.models.task_modules.recorder import (ModuleOutputsRecorder,
                                                  ParameterRecorder,
                                                  RecorderManager)
from mmrazor.registry import MODELS
from torch import Tensor, nn

from ...utils.errors import ConfigError, close_matches
from ..losses.base_logit_loss import BaseLogitLoss
from ..losses.utils import standardize_logits

__all__ = ['LogitDistiller']

_RECORD_KEYS = ('recorder', 'from_student', 'record_idx', 'data_idx',
                'connector', 'connector_idx')
_WARMUP_KEYS = ('epochs', 'by_epoch')


@MODELS.register_module()
class LogitDistiller(ConfigurableDistiller):
    """mmrazor's ``ConfigurableDistiller`` for logit losses, checked at build.

    One training step, top to bottom: the recorders of mmrazor capture the
    student's and the teacher's logits (and the labels); every loss of
    ``distill_losses`` is called with its ``loss_forward_mappings`` (the
    logits standardized first if ``logit_standardization``); each
    result is scaled by the loss warm-up factor; the detached terms of each
    loss, the factor and the teacher's top-1 on the batch come back next to
    the losses, as keys without ``loss`` in them, which mmengine logs but
    does not add to the total::

        distill.loss_dkd          the (warmed-up) loss, summed into `loss`
        distill.dkd.tckd          its terms (× weights × warm-up factor)
        distill.dkd.nckd
        distill.warmup_factor     min(epoch / warmup.epochs, 1)
        distill.teacher_top1      % of the batch the teacher gets right

    Everything a config can get wrong is checked once, here, when the model
    is built, with one :class:`~mmkd_logits.utils.ConfigError` that names
    the entry and what is accepted: unknown loss arguments (with the closest
    match: ``topK`` → ``topk``), loss-mapping keys the loss does not take,
    required arguments nobody maps, losses without a mapping (mmrazor would
    never compute them), mappings to unknown recorders, recorder sources
    that are not modules of the model (with similar names), student and
    teacher class counts that differ, and a teacher with no weights
    (``teacher_ckpt`` unset) unless ``allow_random_teacher=True``.

    Args:
        student_recorders, teacher_recorders, distill_losses,
        loss_forward_mappings: as mmrazor's ``ConfigurableDistiller``.
        warmup: the loss warm-up of DKD-style recipes,
            ``dict(epochs=20)``: every distillation loss is multiplied by
            ``min(epoch / epochs, 1)`` with 1-based epochs, fixed for the
            whole epoch (the authors' semantics: a 1-epoch warm-up is a
            factor of 1 from the first step); ``by_epoch=False`` ramps per
            iteration instead, ``min(iter / (epochs · iters_per_epoch), 1)``
            with 1-based iterations. The epoch and iteration come from
            mmengine's message hub (published by the runner), so
            ``--resume`` continues the ramp; outside a runner the factor is
            1. ``None``: no warm-up.
        check_interval: the losses check their inputs' values (finite
            logits, labels in range; each check waits for the device) on
            the first step and then every ``check_interval`` steps; ``0``:
            only the first. A non-finite loss is caught at every step by
            :class:`~mmkd_logits.engine.hooks.NonFiniteLossHook`.
        allow_random_teacher: build even if the teacher gets no weights
            (tests, smoke runs). Defaults to False.
        logit_standardization: replace the student's and the teacher's
            logits (``preds_S``, ``preds_T``) of every loss by their
            z-score along the class dimension before the loss sees them
            (:func:`~mmkd_logits.models.losses.utils.standardize_logits`;
            region logits ``[B, K, N]``: per region, over ``K``), as the
            ``--logit-stand`` option of Sun et al., CVPR 2024
            (``docs/methods/logit_standardization.md``). Only for the
            package's losses (``BaseLogitLoss``). Defaults to False.
    """

    def __init__(self,
                 student_recorders: Optional[Dict[str, Dict]] = None,
                 teacher_recorders: Optional[Dict[str, Dict]] = None,
                 distill_losses: Optional[Dict[str, Dict]] = None,
                 loss_forward_mappings: Optional[Dict[str, Dict]] = None,
                 warmup: Optional[Dict[str, Any]] = None,
                 check_interval: int = 100,
                 allow_random_teacher: bool = False,
                 logit_standardization: bool = False,
                 **kwargs) -> None:
        warmup = _check_warmup(warmup)
        if not isinstance(logit_standardization, bool):
            raise ConfigError([
                'model.distiller.logit_standardization must be True or '
                f'False, got {logit_standardization!r}'
            ])
        if isinstance(check_interval, bool) or not isinstance(
                check_interval, int) or check_interval < 0:
            raise ConfigError([
                'model.distiller.check_interval must be an integer >= 0, '
                f'got {check_interval!r}'
            ])
        _check_loss_arguments(distill_losses or {})
        super().__init__(
            student_recorders=student_recorders,
            teacher_recorders=teacher_recorders,
            distill_losses=distill_losses,
            loss_forward_mappings=loss_forward_mappings,
            **kwargs)
        unmapped = [
            n for n in self.distill_losses
            if n not in self.loss_forward_mappings
        ]
        if unmapped:
            raise ConfigError([
                f'model.distiller.distill_losses.{n} has no entry in '
                'loss_forward_mappings: mmrazor would never compute it (map '
                'its forward arguments to recorders, or remove the loss)'
                for n in unmapped
            ])
        if logit_standardization:
            _check_standardizable(self.distill_losses)
        self.warmup = warmup
        self.logit_standardization = logit_standardization
        self.check_interval = check_interval
        self.allow_random_teacher = bool(allow_random_teacher)
        self._steps = 0
        self._student_classes: Optional[int] = None

    # ------------------------------------------------------------ building
    def _check_loss_forward_mappings(
            self, losses: nn.ModuleDict, mappings: Dict[str, Dict],
            student_recorders: RecorderManager,
            teacher_recorders: RecorderManager) -> None:
        """Called by mmrazor's ``__init__``; raises instead of asserting."""
        problems: List[str] = []
        if not isinstance(mappings, Mapping):
            raise ConfigError([
                'model.distiller.loss_forward_mappings must be a dict, got '
                f'{type(mappings).__name__}'
            ])
        recorders = {
            True: set(student_recorders.recorders),
            False: set(teacher_recorders.recorders)
        }
        for name, mapping in mappings.items():
            key = f'model.distiller.loss_forward_mappings.{name}'
            if name not in losses:
                problems.append(f'{key}: there is no loss {name!r} in '
                                'distill_losses' + close_matches(name, losses))
                continue
            if not isinstance(mapping, Mapping):
                problems.append(f'{key} must be a dict of forward arguments, '
                                f'got {type(mapping).__name__}')
                continue
            problems += _argument_problems(key, losses[name], mapping)
            for arg, record in mapping.items():
                problems += _record_problems(f'{key}.{arg}', record, recorders,
                                             self.connectors)
        if problems:
            raise ConfigError(problems)

    def prepare_from_student(self, model: nn.Module) -> None:
        _check_sources('student', self.student_recorders, model)
        super().prepare_from_student(model)
        self._student_classes = _num_classes(model)

    def prepare_from_teacher(self, model: nn.Module) -> None:
        _check_sources('teacher', self.teacher_recorders, model)
        super().prepare_from_teacher(model)
        problems = []
        teacher_classes = _num_classes(model)
        if self.distill_losses and None not in (self._student_classes,
                                                teacher_classes) and \
                self._student_classes != teacher_classes:
            problems.append(
                f'the student has {self._student_classes} classes but the '
                f'teacher has {teacher_classes}: the logit losses compare '
                'them class by class (use a teacher trained on the same '
                'dataset; set num_classes of both heads to its classes)')
        if not self.allow_random_teacher and not _has_weights(model):
            problems.append(
                'model.teacher_ckpt is not set, so the teacher keeps random '
                'weights and teaches noise: set model.teacher_ckpt to its '
                'checkpoint, or model.distiller.allow_random_teacher=True '
                '(tools/train.py --random-teacher) for a smoke run')
        if problems:
            raise ConfigError(problems)

    # ---------------------------------------------------------------- step
    def warmup_factor(self) -> float:
        """The loss warm-up factor of the current training iteration."""
        if not self.warmup or not self.warmup['epochs']:
            return 1.0
        hub = MessageHub.get_current_instance()
        epochs = self.warmup['epochs']
        if self.warmup.get('by_epoch', True):
            epoch = hub.get_info('epoch')
            if epoch is None:
                return 1.0
            return min((epoch + 1) / epochs, 1.0)
        it, max_iters = hub.get_info('iter'), hub.get_info('max_iters')
        max_epochs = hub.get_info('max_epochs')
        if it is None or not max_iters or not max_epochs:
            return 1.0
        return min((it + 1) / (epochs * max_iters / max_epochs), 1.0)

    def compute_distill_losses(self) -> Dict[str, Tensor]:
        """The losses of one step, with their terms (see the class doc)."""
        check = self._steps == 0 or bool(
            self.check_interval and self._steps % self.check_interval == 0)
        self._steps += 1
        factor = self.warmup_factor()
        out: Dict[str, Tensor] = {}
        teacher_logits = labels = None
        for name, mapping in self.loss_forward_mappings.items():
            kwargs = {
                arg: self.get_record(**record)
                for arg, record in mapping.items()
            }
            if teacher_logits is None:
                teacher_logits = kwargs.get('preds_T')
            if labels is None:
                labels = kwargs.get('gt_labels')
            loss = self.distill_losses[name]
            if not isinstance(loss, BaseLogitLoss):
                out[name] = _scaled(loss(**kwargs), factor)
                continue
            if self.logit_standardization:
                kwargs = _standardized(loss, kwargs, check)
            result = loss.compute(
                check_values=check and not self.logit_standardization,
                **kwargs)
            out[name] = _scaled(result.loss, factor)
            short = _short_name(name)
            for term, value in result.terms.items():
                out[f'{short}.{term}'] = _scaled(value, factor)
            for stat, value in result.stats.items():
                out[f'{short}.{stat}'] = value
        if self.warmup:
            out['warmup_factor'] = torch.tensor(factor)
        top1 = self._teacher_top1(teacher_logits, labels)
        if top1 is not None:
            out['teacher_top1'] = top1
        return out

    def _teacher_top1(self, logits: Any, labels: Any) -> Optional[Tensor]:
        """Top-1 (%) of the teacher on the batch, from the logits and labels
        the losses were given (the labels recorder when no loss takes
        them)."""
        if labels is None and 'gt_labels' in self.student_recorders.recorders:
            labels = self.get_record('gt_labels', True, data_idx=1)
        if not isinstance(logits, Tensor) or not isinstance(labels, Tensor):
            return None
        logits = logits.detach()
        if logits.dim() == 3:  # region logits [B, K, N]: the global one
            logits = logits[..., 0]
        if logits.dim() != 2 or labels.shape != logits.shape[:1]:
            return None
        return (logits.argmax(-1) == labels).float().mean() * 100


# ---------------------------------------------------------------- helpers
def _scaled(value: Tensor, factor: float) -> Tensor:
    return value if factor == 1.0 else value * factor


def _short_name(loss_name: str) -> str:
    """``loss_dkd`` → ``dkd``: log keys must not contain ``loss``."""
    return loss_name.replace('loss', '').strip('_.') or 'distill'


def _check_standardizable(losses: Mapping[str, nn.Module]) -> None:
    others = [
        n for n, loss in losses.items() if not isinstance(loss, BaseLogitLoss)
    ]
    if others:
        raise ConfigError([
            f'model.distiller.logit_standardization: '
            f'distill_losses.{n} ({type(losses[n]).__name__}) is not one '
            'of the package\'s logit losses (BaseLogitLoss), so its class '
            'dimension is unknown: use it without logit_standardization'
            for n in others
        ])


def _standardized(loss: BaseLogitLoss, kwargs: Dict[str, Any],
                  check: bool) -> Dict[str, Any]:
    """``kwargs`` with ``preds_S`` / ``preds_T`` standardized.

    The recorded logits are checked first (shapes always, values when
    ``check``), so that errors name them as the model produced them; the
    class dimension is the one after the loss's batch dimensions
    (``split_shape``): the last for ``[B, C]``, 1 for SDD's ``[B, K, N]``.
    """
    preds_S, preds_T = kwargs['preds_S'], kwargs['preds_T']
    labels = kwargs.get('gt_labels')
    loss.check_inputs(preds_S, preds_T, labels)
    if check:
        loss.check_values(preds_S, preds_T, labels)
    dim = len(loss.split_shape(preds_S)[0])
    return dict(
        kwargs,
        preds_S=standardize_logits(preds_S, dim),
        preds_T=standardize_logits(preds_T.detach(), dim))


def _check_warmup(warmup: Optional[Dict[str, Any]]) -> Optional[Dict]:
    if warmup is None:
        return None
    key = 'model.distiller.warmup'
    if not isinstance(warmup, Mapping):
        raise ConfigError(
            [f'{key} must be a dict like dict(epochs=20), got '
             f'{warmup!r}'])
    problems = [
        f'{key}.{k} is not a warm-up option (accepted: '
        f'{", ".join(_WARMUP_KEYS)}){close_matches(k, _WARMUP_KEYS)}'
        for k in warmup if k not in _WARMUP_KEYS
    ]
    epochs = warmup.get('epochs')
    if isinstance(epochs, bool) or not isinstance(
            epochs, (int, float)) or not 0 <= epochs < float('inf'):
        problems.append(f'{key}.epochs must be a number >= 0, got {epochs!r}')
    if not isinstance(warmup.get('by_epoch', True), bool):
        problems.append(f'{key}.by_epoch must be True or False, got '
                        f'{warmup["by_epoch"]!r}')
    if problems:
        raise ConfigError(problems)
    return dict(warmup)


def _loss_class(cfg: Any) -> Any:
    loss_type = cfg.get('type') if isinstance(cfg, Mapping) else None
    if isinstance(loss_type, str):
        return MODELS.get(loss_type)
    return loss_type if inspect.isclass(loss_type) else None


def _init_arguments(cls: type) -> Optional[Set[str]]:
    """Keyword arguments ``cls(...)`` accepts, or None for ``**kwargs``."""
    names: Set[str] = set()
    for klass in cls.__mro__:
        init = klass.__dict__.get('__init__')
        if init is None:
            continue
        params = inspect.signature(init).parameters.values()
        names |= {
            p.name
            for p in params if p.kind in (p.POSITIONAL_OR_KEYWORD,
                                          p.KEYWORD_ONLY) and p.name != 'self'
        }
        if not any(p.kind == p.VAR_KEYWORD for p in params):
            return names
    return None


def _check_loss_arguments(losses: Mapping[str, Any]) -> None:
    problems = []
    for name, cfg in losses.items():
        cls = _loss_class(cfg)
        accepted = _init_arguments(cls) if cls is not None else None
        if accepted is None:
            continue  # unknown types fail clearly in the registry
        for arg in cfg:
            if arg in ('type', '_scope_') or arg in accepted:
                continue
            problems.append(
                f'model.distiller.distill_losses.{name}: {arg!r} is not an '
                f'argument of {cls.__name__} (accepted: '
                f'{", ".join(sorted(accepted))}){close_matches(arg, accepted)}'
            )
    if problems:
        raise ConfigError(problems)


def _argument_problems(key: str, loss: nn.Module,
                       mapping: Mapping) -> List[str]:
    """Mapping keys the loss does not take, and required ones not mapped."""
    if isinstance(loss, BaseLogitLoss):
        accepted = ['preds_S', 'preds_T'
                    ] + (['gt_labels'] if loss.uses_labels else [])
        required, any_key = list(accepted), False
    else:
        params = list(inspect.signature(loss.forward).parameters.values())
        accepted = [
            p.name for p in params
            if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
        ]
        required = [
            p.name for p in params
            if p.name in accepted and p.default is inspect.Parameter.empty
        ]
        any_key = any(p.kind == p.VAR_KEYWORD for p in params)
    shown = f'{type(loss).__name__}({", ".join(accepted)})'
    problems = [
        f'{key}: {arg!r} is not an argument of {shown}' +
        close_matches(arg, accepted) for arg in mapping
        if arg not in accepted and not any_key
    ]
    hint = dict(gt_labels=" (labels: a ModuleInputs recorder on "
                "'head.loss_module', data_idx=1)")
    problems += [
        f'{key}: {shown} needs {arg!r}, which is not mapped' +
        hint.get(arg, '') for arg in required if arg not in mapping
    ]
    return problems


def _record_problems(key: str, record: Any, recorders: Dict[bool, Set[str]],
                     connectors: nn.ModuleDict) -> List[str]:
    if not isinstance(record, Mapping):
        return [
            f'{key} must be a dict(recorder=..., from_student=...), got '
            f'{record!r}'
        ]
    problems = [
        f'{key}.{k} is not a mapping option (accepted: '
        f'{", ".join(_RECORD_KEYS)}){close_matches(k, _RECORD_KEYS)}'
        for k in record if k not in _RECORD_KEYS
    ]
    from_student = record.get('from_student')
    if not isinstance(from_student, bool):
        return problems + [
            f'{key}.from_student must be True or False, got '
            f'{from_student!r}'
        ]
    side = 'student' if from_student else 'teacher'
    name = record.get('recorder')
    if name not in recorders[from_student]:
        problems.append(
            f'{key}.recorder: {name!r} is not in {side}_recorders '
            f'({", ".join(sorted(recorders[from_student])) or "none"})' +
            close_matches(str(name), recorders[from_student]))
    connector = record.get('connector')
    if connector is not None and connector not in connectors:
        problems.append(f'{key}.connector: {connector!r} is not in '
                        'connectors')
    return problems


def _check_sources(side: str, manager: RecorderManager,
                   model: nn.Module) -> None:
    modules = dict(model.named_modules())
    params = dict(model.named_parameters())
    problems = []
    for name, recorder in manager.recorders.items():
        key = f'model.distiller.{side}_recorders.{name}'
        if isinstance(recorder, ParameterRecorder):
            if recorder.source not in params:
                problems.append(
                    f'{key}: source {recorder.source!r} is not a parameter '
                    f'of the {side}' + close_matches(recorder.source, params))
            continue
        if not isinstance(recorder, ModuleOutputsRecorder):
            continue  # method / function recorders: sources are code paths
        for attr in ('source', 'fc_name'):
            source = getattr(recorder, attr, None)
            if source is not None and source not in modules:
                what = 'fc' if attr == 'fc_name' else 'source'
                problems.append(
                    f'{key}: {what} {source!r} is not a module of the '
                    f'{side} ({type(model).__name__})' +
                    close_matches(source, modules))
    if problems:
        raise ConfigError(problems)


def _num_classes(model: nn.Module) -> Optional[int]:
    head = getattr(model, 'head', None)
    classes = getattr(head, 'num_classes', None)
    return classes if isinstance(classes, int) else None


def _has_weights(teacher: nn.Module) -> bool:
    """Whether the teacher got weights: a loaded ``teacher_ckpt`` (mmrazor
    sets ``_is_init``) or a ``Pretrained`` init_cfg applied at init."""
    if getattr(teacher, '_is_init', False):
        return True
    init_cfg = getattr(teacher, 'init_cfg', None)
    cfgs = init_cfg if isinstance(init_cfg, list) else [init_cfg]
    return any(
        isinstance(c, Mapping) and c.get('type') == 'Pretrained' for c in cfgs)
