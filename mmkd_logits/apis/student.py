"""The distilled student as a plain mmpretrain model: weights and config.

A checkpoint written while training any distillation config holds the whole
``SingleTeacherDistill``: the student (``architecture.*``), the frozen
teacher (``teacher.*``), the distiller's state, the optimizer and the
message hub. :func:`export_student` keeps only the student and writes

* the checkpoint ``{'state_dict': <student>, 'meta': {...}}`` (tensors and
  plain Python data: ``torch.load(..., weights_only=True)`` works with or
  without the plugin), atomically;
* the student's own ``ImageClassifier`` config (:func:`student_config`),
  a plain (non-lazy) config file.

:func:`fold_serial_head` folds an AEKT student's ``SerialClsHead``
(``ser∘fc``) into one linear layer::

    W = W_ser · W_fc,    b = W_ser · b_fc + b_ser

(in float64, stored in the checkpoint's dtype), so that the student is a
plain ``LinearClsHead`` classifier with the same logits.

**Plain mmpretrain or the plugin.** The exported config names every class
by its registry name or its import path (``mmpretrain.models.ResNet``). When
the student *model* needs nothing of the plugin (an mmpretrain ResNet, a
folded head), everything of the plugin is removed — its hooks, its atomic
checkpoint backend, its checked image loader (replaced by mmcv's
``LoadImageFromFile``) — and mmpretrain alone loads and runs the config.
When the model needs the plugin (a CIFAR zoo backbone, an unfolded
``SerialClsHead``) or the dataset does (``TinyImageNet``), the plugin's
parts are kept and ``custom_imports = dict(imports=['mmkd_logits'])`` is
added, so that any tool that reads ``custom_imports`` (mmpretrain's
``tools/test.py``, ``ImageClassificationInferencer``) imports it.
"""
import copy
import os
import os.path as osp
from collections import OrderedDict
from typing import Any, Dict, Iterator, Mapping, Optional

from .checkpoint_io import (load_checkpoint_file, plain_meta, save_checkpoint,
                            split_checkpoint)

__all__ = [
    'ExportError', 'STUDENT_PREFIX', 'extract_student', 'fold_serial_head',
    'needs_plugin', 'student_config', 'export_student', 'fold_checkpoint'
]

STUDENT_PREFIX = 'architecture.'
#: prefixes of a distillation checkpoint that are not the student
NON_STUDENT_PREFIXES = ('teacher.', 'distiller.')
#: top-level keys kept in the student config: what mmengine's
#: ``Runner.from_cfg`` and mmpretrain's tools/inferencer read, and the usual
#: data helper variables (everything else of a distillation config — the
#: ``student`` / ``teacher`` helpers, loss settings — describes the
#: distillation, not the student)
KEEP_KEYS = frozenset(
    ('model', 'default_scope', 'custom_imports', 'train_dataloader',
     'val_dataloader', 'test_dataloader', 'train_cfg', 'val_cfg', 'test_cfg',
     'auto_scale_lr', 'optim_wrapper', 'param_scheduler', 'val_evaluator',
     'test_evaluator', 'default_hooks', 'custom_hooks', 'data_preprocessor',
     'load_from', 'env_cfg', 'log_processor', 'log_level', 'visualizer',
     'vis_backends', 'randomness', 'model_wrapper_cfg', 'compile', 'tta_model',
     'dataset_type', 'data_root'))
_PLUGINS = ('mmkd_logits', 'mmrazor')
#: the plugin's transforms and their plain equivalents (class name →
#: (replacement, arguments the replacement does not take))
PLAIN_EQUIVALENTS = {
    'CheckedLoadImageFromFile': ('LoadImageFromFile', ('on_error', )),
}
_IMPORT_PLUGIN = dict(imports=['mmkd_logits'], allow_failed_imports=False)


class ExportError(ValueError):
    """The checkpoint or config cannot be exported as asked."""


# ------------------------------------------------------------------ weights
def extract_student(state_dict: Mapping[str, Any]) -> 'OrderedDict':
    """The student's weights of a distillation (or student) state dict.

    Returns:
        OrderedDict: the ``architecture.*`` keys without the prefix; a state
        dict without teacher/distiller keys is returned as it is (already a
        student).

    Raises:
        ExportError: teacher/distiller weights but no student.
    """
    keys = list(state_dict)
    if any(k.startswith(STUDENT_PREFIX) for k in keys):
        return OrderedDict((k[len(STUDENT_PREFIX):], v)
                           for k, v in state_dict.items()
                           if k.startswith(STUDENT_PREFIX))
    if any(k.startswith(NON_STUDENT_PREFIXES) for k in keys):
        raise ExportError(
            'the checkpoint has teacher/distiller weights but no student '
            f'(no key starts with {STUDENT_PREFIX!r})')
    return OrderedDict(state_dict.items())


def fold_serial_head(state_dict: Mapping[str, Any],
                     head: str = 'head') -> 'OrderedDict':
    """Fold ``{head}.ser`` into ``{head}.fc`` in a student state dict.

    Returns:
        OrderedDict: the same keys without ``{head}.ser.*``, with
        ``{head}.fc.weight = W_ser·W_fc`` and
        ``{head}.fc.bias = W_ser·b_fc + b_ser``.

    Raises:
        ExportError: no ``{head}.fc`` / ``{head}.ser`` weights (not a
            ``SerialClsHead``), or shapes that do not make ``ser`` a
            ``C×C`` layer on a ``C``-output ``fc``.
    """
    import torch
    sd = OrderedDict(state_dict.items())
    for name in ('fc.weight', 'ser.weight'):
        if f'{head}.{name}' not in sd:
            found = sorted(k for k in sd if k.startswith(f'{head}.'))
            raise ExportError(
                f'no {head}.{name!r} in the checkpoint: it is not a student '
                f'with a SerialClsHead (head keys found: {found})')
    w_fc, w_ser = sd[f'{head}.fc.weight'], sd[f'{head}.ser.weight']
    b_fc, b_ser = sd.get(f'{head}.fc.bias'), sd.get(f'{head}.ser.bias')
    classes = w_fc.shape[0]
    if w_fc.dim() != 2 or tuple(w_ser.shape) != (classes, classes):
        raise ExportError(
            f'{head}.ser.weight must be [C, C] with C = {head}.fc\'s '
            f'{classes} outputs; got {head}.fc.weight {tuple(w_fc.shape)} '
            f'and {head}.ser.weight {tuple(w_ser.shape)}')
    w64 = w_ser.double()
    bias = torch.zeros(classes, dtype=torch.float64)
    if b_fc is not None:
        bias = bias + w64 @ b_fc.double()
    if b_ser is not None:
        bias = bias + b_ser.double()
    for key in [k for k in sd if k.startswith(f'{head}.ser.')]:
        del sd[key]
    sd[f'{head}.fc.weight'] = (w64 @ w_fc.double()).to(w_fc.dtype).contiguous()
    sd[f'{head}.fc.bias'] = bias.to(w_fc.dtype).contiguous()
    return sd


# ------------------------------------------------------------------ config
def _types(value: Any) -> Iterator[Any]:
    """Every ``type`` value in a nested config."""
    if isinstance(value, Mapping):
        if 'type' in value:
            yield value['type']
        for item in value.values():
            yield from _types(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _types(item)


def _class_name(type_: Any) -> str:
    if isinstance(type_, str):
        return type_.rsplit('.', 1)[-1]
    return getattr(type_, '__name__', str(type_))


def _registered_module(name: str) -> str:
    """The module of the class registered as ``name`` for mmpretrain's
    runner ('' if unknown)."""
    from mmengine.registry import DefaultScope
    from mmpretrain import registry as reg
    registries = (reg.MODELS, reg.DATASETS, reg.TRANSFORMS, reg.METRICS,
                  reg.HOOKS, reg.DATA_SAMPLERS, reg.LOOPS, reg.VISUALIZERS,
                  reg.VISBACKENDS, reg.OPTIM_WRAPPERS, reg.OPTIMIZERS,
                  reg.PARAM_SCHEDULERS, reg.LOG_PROCESSORS, reg.EVALUATORS)
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        for registry in registries:
            try:
                cls = registry.get(name)
            except Exception:  # a scope that is not imported, etc.
                cls = None
            if cls is not None:
                return getattr(cls, '__module__', '') or ''
    return ''


def _is_plugin_type(type_: Any) -> bool:
    """Whether a config ``type`` is a class of mmkd_logits or mmrazor."""
    if isinstance(type_, str):
        if type_.startswith(tuple(f'{p}.' for p in _PLUGINS)):
            return True
        if '.' in type_:  # an import path of another package
            return False
        module = _registered_module(type_)
    else:
        module = getattr(type_, '__module__', '') or ''
    return module.split('.')[0] in _PLUGINS


def needs_plugin(cfg: Mapping[str, Any]) -> bool:
    """Whether a student config needs the plugin to build and test.

    Looks at every ``type`` except those of ``custom_hooks`` and of the
    plugin's transforms that have a plain equivalent
    (:data:`PLAIN_EQUIVALENTS`).
    """
    for key, value in cfg.items():
        if key in ('custom_hooks', 'custom_imports'):
            continue
        for type_ in _types(value):
            if _class_name(type_) in PLAIN_EQUIVALENTS:
                continue
            if _is_plugin_type(type_):
                return True
    return False


def _without_plugin_parts(value: Any) -> Any:
    """The plugin's transforms replaced by their plain equivalents and its
    atomic checkpoint backend removed (in place; returns ``value``)."""
    if isinstance(value, dict):
        name = _class_name(value.get('type', ''))
        if name in PLAIN_EQUIVALENTS:
            plain, dropped = PLAIN_EQUIVALENTS[name]
            value['type'] = plain
            for key in dropped:
                value.pop(key, None)
        args = value.get('backend_args')
        if isinstance(args, dict) and args.get('backend') == 'atomic_local':
            value.pop('backend_args')
        for item in value.values():
            _without_plugin_parts(item)
    elif isinstance(value, list):
        for item in value:
            _without_plugin_parts(item)
    return value


def _is_distill_hook(hook: Mapping[str, Any]) -> bool:
    """A hook that needs the distillation model (or is mmrazor's)."""
    hook_type = hook.get('type', '')
    name = _class_name(hook_type)
    module = hook_type if isinstance(hook_type, str) else getattr(
        hook_type, '__module__', '')
    return 'Distill' in name or 'Teacher' in name or \
        str(module).startswith('mmrazor')


def student_config(cfg: Any,
                   fold_serial_head: bool = False,
                   head: str = 'head',
                   keep_plugin: Optional[bool] = None) -> Any:
    """The student's mmpretrain config from a distillation config.

    Args:
        cfg (mmengine.Config): the training config (a distillation config,
            lazy or not, or already a student config).
        fold_serial_head: make the head a ``LinearClsHead`` (the weights are
            folded by :func:`fold_serial_head`).
        head: attribute name of the student's head. Defaults to ``'head'``.
        keep_plugin: keep the plugin's hooks, backend and transforms and
            import it with ``custom_imports``. ``None`` (default): only if
            the student needs it (:func:`needs_plugin`).

    Returns:
        mmengine.Config: a plain config whose ``model`` is the student
        ``ImageClassifier``, with the distillation model's (or the
        config's) ``data_preprocessor`` if the student has none, mmengine's
        plain val/test loops, and neither distillation hooks nor
        ``find_unused_parameters`` / ``teacher_ckpt``; data pipelines and
        evaluators are kept.

    Raises:
        ExportError: the student has no ``head``.
    """
    from mmengine.config import Config
    cfg = Config(copy.deepcopy(cfg.to_dict()))
    for key in [
            k for k in cfg.keys()
            if k not in KEEP_KEYS and not k.endswith('_pipeline')
    ]:
        cfg.pop(key)
    model = cfg.model
    if 'architecture' in model:
        student = model.architecture
        if 'cfg_path' in student:
            from mmengine.hub import get_config
            student = get_config(student.cfg_path).model
        student = copy.deepcopy(dict(student))
        preprocessor = model.get('data_preprocessor') or cfg.get(
            'data_preprocessor')
        if student.get('data_preprocessor') is None and preprocessor:
            student['data_preprocessor'] = copy.deepcopy(preprocessor)
        student.setdefault('_scope_', 'mmpretrain')
        model = student
    if head not in model:
        raise ExportError(f'the student model config has no {head!r}')
    if fold_serial_head:
        model[head]['type'] = 'LinearClsHead'
        model[head].pop('ser_bias', None)
    cfg.model = model
    for loop in ('val_cfg', 'test_cfg'):
        if 'Distill' in _class_name((cfg.get(loop) or {}).get('type', '')):
            cfg[loop] = dict()
    hooks = [
        h for h in (cfg.get('custom_hooks') or []) if not _is_distill_hook(h)
    ]
    if keep_plugin is None:
        keep_plugin = needs_plugin(cfg)
    imports = (cfg.get('custom_imports') or {}).get('imports') or []
    imports = [imports] if isinstance(imports, str) else list(imports)
    others = [m for m in imports if m.split('.')[0] not in _PLUGINS]
    if keep_plugin:
        cfg.custom_imports = dict(
            _IMPORT_PLUGIN, imports=['mmkd_logits'] + others)
    else:
        hooks = [h for h in hooks if not _is_plugin_type(h.get('type'))]
        if others:
            cfg.custom_imports = dict(_IMPORT_PLUGIN, imports=others)
        else:
            cfg.pop('custom_imports', None)
        _without_plugin_parts(cfg._cfg_dict)
    cfg.custom_hooks = hooks
    return cfg


# ------------------------------------------------------------- checkpoints
def _load_student(src: str):
    """``(student state dict, meta)`` of the checkpoint ``src``."""
    state_dict, meta = split_checkpoint(load_checkpoint_file(src), src)
    return extract_student(state_dict), meta


def _config_of(meta: Mapping[str, Any], config: Optional[str]) -> Any:
    from mmengine.config import Config
    if config:
        return Config.fromfile(config)
    text = meta.get('cfg')
    if not isinstance(text, str):
        raise ExportError('the checkpoint has no training config in '
                          "meta['cfg']; pass the training config")
    return Config.fromstring(text, '.py')


def _write(student: Mapping[str, Any],
           meta: Mapping[str, Any],
           extra: Dict[str, Any],
           dst: str,
           head: str,
           cfg: Any = None,
           out_config: Optional[str] = None) -> Dict[str, Any]:
    """Write the student checkpoint (and its config); the result dict."""
    from .. import __version__
    dst = osp.abspath(osp.expanduser(dst))
    out_meta = plain_meta({k: v for k, v in meta.items() if k != 'cfg'})
    out_meta.update(extra, mmkd_logits_version=__version__)
    weight = student.get(f'{head}.fc.weight')
    if weight is not None and weight.dim() == 2:
        out_meta['num_classes'] = int(weight.shape[0])
    result: Dict[str, Any] = {'checkpoint': dst, 'config': None}
    if cfg is not None:
        out_config = osp.abspath(
            osp.expanduser(out_config or osp.splitext(dst)[0] + '.py'))
        cfg.load_from = dst
        text = cfg.pretty_text  # formatting is slow (yapf): once
        out_meta['cfg'] = text
        os.makedirs(osp.dirname(out_config), exist_ok=True)
        with open(out_config, 'w', encoding='utf-8') as f:
            f.write(text)  # what ``Config.dump`` writes for a .py file
        result['config'] = out_config
    save_checkpoint(student, out_meta, dst)
    result['meta'] = out_meta
    return result


def export_student(src: str,
                   dst: str,
                   config: Optional[str] = None,
                   out_config: Optional[str] = None,
                   fold: bool = False,
                   head: str = 'head',
                   keep_plugin: Optional[bool] = None) -> Dict[str, Any]:
    """Write the student of the checkpoint ``src`` to ``dst`` and its
    config.

    Args:
        src: a distillation checkpoint (or a student checkpoint); loaded
            weights-only unless trusted (``--trust-checkpoint``).
        dst: the output checkpoint (written atomically).
        config: the training config; ``None`` reads ``meta['cfg']`` of
            ``src`` (mmengine stores the training config there).
        out_config: where to write the student config; ``None``: ``dst``
            with the suffix ``.py``.
        fold: fold a ``SerialClsHead`` into a ``LinearClsHead``.
        head: name of the student's head module.
        keep_plugin: see :func:`student_config`.

    Returns:
        dict: ``checkpoint`` and ``config`` (the written paths) and
        ``meta`` (the checkpoint's metadata).

    Raises:
        ExportError: no student in ``src``, no config, ``fold`` without a
            ``SerialClsHead``, or a config that does not fit the weights.
    """
    student, meta = _load_student(src)
    has_ser = f'{head}.ser.weight' in student
    if fold and not has_ser:
        raise ExportError(
            f'--fold-serial-head: the student has no {head}.ser (not a '
            'SerialClsHead); export it without the option')
    if fold:
        student = fold_serial_head(student, head)
    cfg = student_config(_config_of(meta, config), fold, head, keep_plugin)
    head_type = _class_name(cfg.model[head].get('type'))
    if has_ser and not fold and head_type != 'SerialClsHead':
        raise ExportError(
            f'the checkpoint has {head}.ser weights but the config\'s head '
            f'is {head_type!r}; is the config the training config?')
    return _write(
        student, meta,
        dict(
            exported_from=osp.abspath(src),
            head_type=head_type,
            serial_head_folded=bool(fold)), dst, head, cfg, out_config)


def fold_checkpoint(src: str,
                    dst: str,
                    head: str = 'head',
                    config: Optional[str] = None,
                    out_config: Optional[str] = None) -> Dict[str, Any]:
    """Fold the ``SerialClsHead`` of the student in ``src`` into ``dst``.

    Like :func:`export_student` with ``fold=True``, for student or
    distillation checkpoints that carry no training config: the student
    config is written only when ``config`` is given.

    Returns:
        dict: ``checkpoint``, ``config`` (``None`` without ``config``) and
        ``meta``.
    """
    student, meta = _load_student(src)
    folded = fold_serial_head(student, head)
    cfg = None if config is None else student_config(
        _config_of(meta, config), True, head)
    return _write(
        folded, meta,
        dict(
            folded_from=osp.abspath(src),
            head_type='LinearClsHead',
            serial_head_folded=True), dst, head, cfg, out_config)
