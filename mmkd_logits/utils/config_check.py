"""Catch configuration mistakes before training starts, with a clear message.

A distillation run that dies hours in — or, worse, trains on garbage — over a
typo in a config is the most expensive kind of bug. These checks look at a
config (and, where it is needed, the student and teacher it builds) and
raise one :class:`ConfigError` that lists every problem found, what it
means and how to fix it:

* **dataset paths** — a ``data_root`` (or an explicit ``ann_file`` /
  ``data_prefix``) of the train / val dataloaders that does not exist.
  mmpretrain would fail later, after the models (and perhaps a downloaded
  teacher) are built, with a bare ``FileNotFoundError``; a CIFAR dataset
  with ``download=True`` (mmpretrain's default) is left alone — it will be
  downloaded there.
* **recorder sources** — a ``ModuleOutputs`` / ``ModuleInputs`` /
  ``MultiScaleLogits`` recorder whose ``source`` (or ``fc``) is not a module
  of the student / teacher, or a ``Parameter`` recorder whose ``source`` is
  not a parameter. mmrazor only ``assert``\\ s ``"x" is not in the model``
  (no side, no recorder name, and nothing at all under ``python -O``).
* **loss forward mappings** — a key of ``loss_forward_mappings`` that the
  loss's ``forward`` does not take (mmrazor's assertion names neither the
  loss entry nor the accepted arguments), a required argument that is not
  mapped (otherwise a ``TypeError`` at the first step), a mapping to a
  recorder that does not exist, a mapping for a loss that does not exist,
  and a loss in ``distill_losses`` without a mapping (mmrazor silently never
  computes it).
* **class counts** — student and teacher heads with different numbers of
  classes while a logit loss compares them class by class (otherwise a shape
  error at the first step, or never for losses that do not check).

Where they run:

* ``tools/train.py`` calls :func:`check_config` before building the runner
  (``--no-config-check`` skips it);
* :class:`~mmkd_logits.engine.hooks.ConfigCheckHook` calls
  :func:`check_model` on the built model in ``before_run`` — before the
  first iteration — for runs started in-process with
  ``Runner.from_cfg(cfg).train()`` (``tools/train.py`` adds the hook).
"""
import difflib
import inspect
import os.path as osp
import re
from typing import Any, Iterable, List, Mapping, Optional, Tuple

from torch import nn

__all__ = [
    'ConfigError', 'LOGIT_LOSSES', 'check_config', 'check_model',
    'check_dataset_paths', 'check_loss_forward_mappings',
    'check_recorder_sources', 'check_class_counts', 'num_classes_of'
]

#: losses that compare student and teacher logits class by class
LOGIT_LOSSES = ('LDRLDLoss', 'RLDLoss', 'SDDLoss', 'AEKTLoss', 'KLDivergence',
                'DKDLoss', 'DISTLoss', 'WSLD', 'KDSoftCELoss')

_URL = re.compile(r'^[a-zA-Z][a-zA-Z0-9+.-]*://')


class ConfigError(ValueError):
    """One or more configuration mistakes, found before training starts.

    The message lists every problem on its own line, each naming the config
    key, what is wrong and what to do.
    """

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems = list(problems)
        lines = '\n'.join(f'  - {p}' for p in self.problems)
        super().__init__(
            f'{len(self.problems)} configuration problem(s) found before '
            f'training:\n{lines}')


def _raise(problems: List[str]) -> None:
    if problems:
        raise ConfigError(problems)


def _type_name(obj_type: Any) -> str:
    if isinstance(obj_type, str):
        return obj_type.split('.')[-1]
    return getattr(obj_type, '__name__', str(obj_type))


def _similar(name: str, names: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(names), n=3, cutoff=0.6)
    return f'; similar names: {", ".join(close)}' if close else ''


# ------------------------------------------------------------ datasets
def _dataset_class(ds_type: Any):
    if not isinstance(ds_type, str):
        return ds_type
    try:
        from mmpretrain.registry import DATASETS
        return DATASETS.get(ds_type)
    except Exception:  # an unknown type fails clearly when it is built
        return None


def _downloads(ds_cfg: Mapping, ds_cls: Any) -> bool:
    """Whether the dataset will download itself into a missing data_root."""
    if 'download' in ds_cfg:
        return bool(ds_cfg['download'])
    if ds_cls is None:
        return False
    try:
        param = inspect.signature(ds_cls.__init__).parameters.get('download')
    except (TypeError, ValueError):
        return False
    return param is not None and param.default is True


def _walk_datasets(ds_cfg: Any, key: str):
    """Yield ``(key, dataset_cfg)``, descending into dataset wrappers."""
    if not isinstance(ds_cfg, Mapping):
        return
    inner = ds_cfg.get('dataset')
    if isinstance(inner, Mapping):  # RepeatDataset, ClassBalancedDataset, ...
        yield from _walk_datasets(inner, f'{key}.dataset')
    many = ds_cfg.get('datasets')
    if isinstance(many, (list, tuple)):  # ConcatDataset
        for i, sub in enumerate(many):
            yield from _walk_datasets(sub, f'{key}.datasets.{i}')
    if 'data_root' in ds_cfg or 'ann_file' in ds_cfg:
        yield key, ds_cfg


def check_dataset_paths(cfg: Mapping,
                        loaders: Tuple[str, ...] = ('train_dataloader',
                                                    'val_dataloader')
                        ) -> List[str]:
    """Problems with the dataset paths of ``loaders`` (empty if none).

    Checks each (possibly wrapped) dataset's ``data_root`` and, when they are
    given explicitly, its ``ann_file`` and ``data_prefix`` entries (relative
    ones are joined to ``data_root``, as mmengine does). Remote paths
    (``s3://...``) and datasets that download themselves are skipped. The
    val loader is skipped when ``val_cfg`` is ``None`` (``--no-validate``).
    """
    problems = []
    for loader in loaders:
        loader_cfg = cfg.get(loader, None)
        if not isinstance(loader_cfg, Mapping):
            continue
        if loader == 'val_dataloader' and cfg.get('val_cfg', None) is None:
            continue
        if loader == 'test_dataloader' and cfg.get('test_cfg', None) is None:
            continue
        for key, ds in _walk_datasets(loader_cfg.get('dataset'),
                                      f'{loader}.dataset'):
            problems += _dataset_problems(key, ds)
    return problems


def _dataset_problems(key: str, ds: Mapping) -> List[str]:
    ds_type = _type_name(ds.get('type', '?'))
    root = ds.get('data_root', None)
    fix = ('put the dataset there (README "Quick start" has the layouts) '
           'or point the config at it: --cfg-options '
           f'{key}.data_root=/path/to/data')
    if isinstance(root, str) and root and not _URL.match(root):
        if not osp.isdir(osp.expanduser(root)):
            if _downloads(ds, _dataset_class(ds.get('type'))):
                return []
            what = 'is a file, not a folder' if osp.exists(
                osp.expanduser(root)) else 'does not exist'
            return [f'{key}.data_root = {root!r} {what} ({ds_type}; looked '
                    f'in {osp.abspath(osp.expanduser(root))}): {fix}']
    elif root is not None and not isinstance(root, str):
        return [f'{key}.data_root must be a path string, got {root!r}']
    base = osp.expanduser(root) if isinstance(root, str) and root else ''
    if _URL.match(base):
        return []
    problems = []
    ann = ds.get('ann_file', None)
    if isinstance(ann, str) and ann and not _URL.match(ann):
        path = ann if osp.isabs(osp.expanduser(ann)) else osp.join(base, ann)
        if not osp.isfile(osp.expanduser(path)):
            problems.append(
                f'{key}.ann_file = {ann!r} does not exist ({ds_type}; looked '
                f'for {osp.abspath(osp.expanduser(path))}): fix the path '
                f'(relative paths are joined to data_root) or leave ann_file '
                'out if the dataset can do without one')
    prefix = ds.get('data_prefix', None)
    entries = prefix.items() if isinstance(prefix, Mapping) else (
        [('', prefix)] if isinstance(prefix, str) else [])
    for name, value in entries:
        if not isinstance(value, str) or not value or _URL.match(value):
            continue
        path = value if osp.isabs(value) else osp.join(base, value)
        if not osp.exists(osp.expanduser(path)):
            sub = f'.{name}' if name else ''
            problems.append(
                f'{key}.data_prefix{sub} = {value!r} does not exist '
                f'({ds_type}; looked for '
                f'{osp.abspath(osp.expanduser(path))})')
    return problems


# ---------------------------------------------------------- loss mappings
def _forward_signature(loss: Any) -> Optional[inspect.Signature]:
    forward = getattr(loss, 'forward', None)
    if forward is None:
        return None
    try:
        sig = inspect.signature(forward)
    except (TypeError, ValueError):
        return None
    params = list(sig.parameters.values())
    if inspect.isclass(loss) and params and params[0].name == 'self':
        sig = sig.replace(parameters=params[1:])
    return sig


def _loss_class(loss_cfg: Any) -> Any:
    if isinstance(loss_cfg, nn.Module):
        return loss_cfg
    if not isinstance(loss_cfg, Mapping):
        return None
    loss_type = loss_cfg.get('type')
    if not isinstance(loss_type, str):
        return loss_type
    from mmrazor.registry import MODELS
    try:
        return MODELS.get(loss_type)
    except Exception:  # unknown types fail clearly when they are built
        return None


def check_loss_forward_mappings(distill_losses: Mapping[str, Any],
                                mappings: Mapping[str, Any],
                                student_recorders: Iterable[str],
                                teacher_recorders: Iterable[str],
                                prefix: str = 'model.distiller') -> List[str]:
    """Problems with ``loss_forward_mappings`` (empty if none).

    Args:
        distill_losses: loss name → loss config dict, class or built module.
        mappings: ``loss_forward_mappings`` (loss name → argument name →
            ``dict(recorder=..., from_student=..., ...)``).
        student_recorders: names of the student recorders.
        teacher_recorders: names of the teacher recorders.
        prefix: config key of the distiller, for the messages.
    """
    problems = []
    student_recorders, teacher_recorders = (set(student_recorders),
                                            set(teacher_recorders))
    mappings = mappings or {}
    for name in distill_losses:
        if name not in mappings:
            problems.append(
                f'{prefix}.distill_losses.{name} has no entry in '
                f'{prefix}.loss_forward_mappings: mmrazor would never '
                'compute it (add the mapping of its forward arguments to '
                'recorders, or remove the loss)')
    for name, mapping in mappings.items():
        key = f'{prefix}.loss_forward_mappings.{name}'
        if name not in distill_losses:
            problems.append(
                f'{key}: there is no loss {name!r} in {prefix}.distill_losses'
                f' (losses: {", ".join(distill_losses) or "none"})'
                f'{_similar(name, distill_losses)}')
            continue
        if not isinstance(mapping, Mapping):
            problems.append(f'{key} must be a dict of forward arguments, got '
                            f'{type(mapping).__name__}')
            continue
        loss = _loss_class(distill_losses[name])
        sig = _forward_signature(loss) if loss is not None else None
        if sig is not None:
            problems += _signature_problems(key, _type_name(
                type(loss) if isinstance(loss, nn.Module) else loss), sig,
                                            mapping)
        for arg, record in mapping.items():
            problems += _record_problems(f'{key}.{arg}', record,
                                         student_recorders,
                                         teacher_recorders, prefix)
    return problems


def _signature_problems(key: str, loss_name: str, sig: inspect.Signature,
                        mapping: Mapping) -> List[str]:
    params = sig.parameters
    kinds = inspect.Parameter
    named = [
        p.name for p in params.values()
        if p.kind in (kinds.POSITIONAL_OR_KEYWORD, kinds.KEYWORD_ONLY)
    ]
    takes_any = any(p.kind == kinds.VAR_KEYWORD for p in params.values())
    shown = f'{loss_name}.forward({", ".join(named)})'
    problems = []
    if not takes_any:
        for arg in mapping:
            if arg not in named:
                problems.append(
                    f'{key}: {arg!r} is not an argument of {shown}; rename '
                    'it to one of the arguments or remove it'
                    f'{_similar(arg, named)}')
    required = [
        p.name for p in params.values()
        if p.kind in (kinds.POSITIONAL_OR_KEYWORD, kinds.KEYWORD_ONLY)
        and p.default is p.empty
    ]
    for arg in required:
        if arg not in mapping:
            problems.append(
                f'{key}: {shown} needs {arg!r} but the mapping does not '
                f'provide it; add {arg}=dict(recorder=..., from_student=...)'
                + (' (labels: a ModuleInputs recorder on '
                   "'head.loss_module' with data_idx=1)"
                   if 'label' in arg else ''))
    return problems


def _record_problems(key: str, record: Any, student: set, teacher: set,
                     prefix: str) -> List[str]:
    if not isinstance(record, Mapping):
        return [f'{key} must be dict(recorder=..., from_student=...), got '
                f'{record!r}']
    if 'recorder' not in record or 'from_student' not in record:
        return [f'{key} must name both "recorder" and "from_student", got '
                f'{dict(record)!r}']
    from_student = record['from_student']
    if not isinstance(from_student, bool):
        return [f'{key}.from_student must be True or False, got '
                f'{from_student!r}']
    side = 'student_recorders' if from_student else 'teacher_recorders'
    names = student if from_student else teacher
    recorder = record['recorder']
    if recorder not in names:
        return [f'{key}: recorder {recorder!r} is not in {prefix}.{side} '
                f'(recorders: {", ".join(sorted(names)) or "none"})'
                f'{_similar(str(recorder), names)}']
    return []


# ------------------------------------------------------- recorder sources
def _recorder_targets(recorder: Any) -> List[Tuple[str, str, str]]:
    """``[(what, name, kind)]`` a recorder (config or object) points at.

    ``kind`` is ``'module'`` or ``'parameter'``; recorders of functions and
    methods (found by import path, not in the model) give nothing.
    """
    from mmrazor.models.task_modules.recorder import (ModuleOutputsRecorder,
                                                      ParameterRecorder)
    if isinstance(recorder, Mapping):
        cls = recorder.get('type')
        if isinstance(cls, str):
            # mmrazor's RecorderManager builds type + 'Recorder'
            from mmrazor.registry import TASK_UTILS
            try:
                cls = TASK_UTILS.get(cls + 'Recorder')
            except Exception:
                cls = None
        get = recorder.get
    else:
        cls = type(recorder)

        def get(key, default=None):
            if key == 'fc':
                return getattr(recorder, 'fc_name', default)
            return getattr(recorder, key, default)

    if not inspect.isclass(cls):
        return []
    targets = []
    if issubclass(cls, ModuleOutputsRecorder):
        targets.append(('source', get('source'), 'module'))
        fc = get('fc', None)
        if fc is None and cls.__name__ == 'MultiScaleLogitsRecorder':
            fc = 'head.fc'  # its default
        if fc is not None:
            targets.append(('fc', fc, 'module'))
    elif issubclass(cls, ParameterRecorder):
        targets.append(('source', get('source'), 'parameter'))
    return targets


def check_recorder_sources(model: nn.Module, recorders: Mapping[str, Any],
                           side: str,
                           prefix: str = 'model.distiller') -> List[str]:
    """Problems with the recorders of one side (empty if none).

    Args:
        model: the student or the teacher.
        recorders: recorder name → recorder config dict or recorder object.
        side: ``'student'`` or ``'teacher'``.
        prefix: config key of the distiller, for the messages.
    """
    modules = None
    params = None
    problems = []
    for name, recorder in (recorders or {}).items():
        for what, target, kind in _recorder_targets(recorder):
            if kind == 'module':
                if modules is None:
                    modules = {n for n, _ in model.named_modules()}
                names = modules
            else:
                if params is None:
                    params = {n for n, _ in model.named_parameters()}
                names = params
            if isinstance(target, str) and target in names:
                continue
            problems.append(
                f'{prefix}.{side}_recorders.{name}: {what} {target!r} is not '
                f'a {kind} of the {side} ({type(model).__name__})'
                f'{_similar(str(target), names)} (list them with '
                f'[n for n, _ in model.named_{kind}s()])')
    return problems


# ------------------------------------------------------------ class counts
def num_classes_of(model: nn.Module) -> Optional[int]:
    """The classifier's number of classes, or ``None`` if it is not known.

    Reads ``head.num_classes`` (mmpretrain heads) or, failing that, the
    ``out_features`` of the head's last ``nn.Linear``.
    """
    head = getattr(model, 'head', None)
    if head is None:
        return None
    num = getattr(head, 'num_classes', None)
    if isinstance(num, int) and not isinstance(num, bool):
        return num
    linears = [m for m in head.modules() if isinstance(m, nn.Linear)]
    return linears[-1].out_features if linears else None


def check_class_counts(student: nn.Module, teacher: nn.Module,
                       loss_types: Iterable[str]) -> List[str]:
    """A problem if a logit loss compares heads of different class counts.

    Args:
        student: the student classifier.
        teacher: the teacher classifier.
        loss_types: class names of the distillation losses; nothing is
            checked unless one of them is in :data:`LOGIT_LOSSES`.
    """
    logit_losses = sorted({t for t in loss_types if t in LOGIT_LOSSES})
    if not logit_losses:
        return []
    n_s, n_t = num_classes_of(student), num_classes_of(teacher)
    if n_s is None or n_t is None or n_s == n_t:
        return []
    return [
        f'the student has {n_s} classes but the teacher has {n_t} '
        f'(model.architecture.head.num_classes vs '
        f'model.teacher.head.num_classes), while {", ".join(logit_losses)} '
        'compares their logits class by class: give both heads (and '
        'data_preprocessor.num_classes) the number of classes of the '
        'dataset, and use a teacher trained on that dataset'
    ]


# ----------------------------------------------------------------- entry
def _is_distill_cfg(model_cfg: Any) -> bool:
    return isinstance(model_cfg, Mapping) and isinstance(
        model_cfg.get('distiller'), Mapping) and 'architecture' in model_cfg


def _build_for_check(model_cfg: Any) -> Optional[nn.Module]:
    """Build a student / teacher just to look at it; ``None`` on failure."""
    if isinstance(model_cfg, nn.Module):
        return model_cfg
    if not isinstance(model_cfg, Mapping):
        return None
    import copy

    import torch
    from mmrazor.registry import MODELS
    cfg = copy.deepcopy(dict(model_cfg))
    # never load or download pretrained weights here
    cfg.pop('init_cfg', None)
    if cfg.get('cfg_path') and not cfg.get('type'):  # mmengine.hub model
        cfg['pretrained'] = False
    for device in ('meta', 'cpu'):
        try:
            with torch.device(device):
                return MODELS.build(cfg)
        except Exception:  # the real build reports its own errors
            continue
    return None


def check_config(cfg: Mapping, build_models: bool = True) -> None:
    """Check a training config; raise :class:`ConfigError` on mistakes.

    Args:
        cfg: the merged config (after command-line options).
        build_models: build the student and the teacher (on the ``meta``
            device where they allow it, else on the CPU, without any
            checkpoint) to check recorder sources and class counts. A model
            that cannot be built is skipped here: the runner reports why.

    Raises:
        ConfigError: listing every problem found.
    """
    problems = check_dataset_paths(cfg)
    model_cfg = cfg.get('model', None)
    if _is_distill_cfg(model_cfg):
        distiller = model_cfg['distiller']
        losses = distiller.get('distill_losses', None) or {}
        s_rec = distiller.get('student_recorders', None) or {}
        t_rec = distiller.get('teacher_recorders', None) or {}
        problems += check_loss_forward_mappings(
            losses, distiller.get('loss_forward_mappings', None) or {}, s_rec,
            t_rec)
        if build_models:
            student = _build_for_check(model_cfg['architecture'])
            teacher = _build_for_check(model_cfg.get('teacher'))
            if student is not None:
                problems += check_recorder_sources(student, s_rec, 'student')
            if teacher is not None:
                problems += check_recorder_sources(teacher, t_rec, 'teacher')
            if student is not None and teacher is not None:
                loss_types = [
                    _type_name(c.get('type')) if isinstance(c, Mapping) else
                    type(c).__name__ for c in losses.values()
                ]
                problems += check_class_counts(student, teacher, loss_types)
    _raise(problems)


def check_model(model: nn.Module) -> None:
    """Check a built distillation model; raise :class:`ConfigError`.

    For mmrazor's ``SingleTeacherDistill`` (or anything with ``student``,
    ``teacher`` and a ``ConfigurableDistiller`` as ``distiller``): recorder
    sources, loss forward mappings and class counts. Other models pass.
    """
    distiller = getattr(model, 'distiller', None)
    student = getattr(model, 'student', None)
    teacher = getattr(model, 'teacher', None)
    if distiller is None or not isinstance(student, nn.Module) or \
            not isinstance(teacher, nn.Module):
        return
    losses = dict(getattr(distiller, 'distill_losses', None) or {})
    s_rec = getattr(getattr(distiller, 'student_recorders', None),
                    'recorders', {}) or {}
    t_rec = getattr(getattr(distiller, 'teacher_recorders', None),
                    'recorders', {}) or {}
    problems = check_loss_forward_mappings(
        losses, getattr(distiller, 'loss_forward_mappings', None) or {},
        s_rec, t_rec)
    problems += check_recorder_sources(student, s_rec, 'student')
    problems += check_recorder_sources(teacher, t_rec, 'teacher')
    problems += check_class_counts(student, teacher,
                                   [type(m).__name__ for m in losses.values()])
    _raise(problems)
