"""Export the student of a distillation checkpoint as a plain mmpretrain model.

A checkpoint written by ``tools/train.py`` for any distillation config holds
the whole ``SingleTeacherDistill``: the student (``architecture.*``), the
frozen teacher (``teacher.*``), the distiller's state, the optimizer and the
message hub. This tool keeps only the student and writes

* ``OUT``: ``{'state_dict': <student>, 'meta': {...}}`` with tensors and plain
  Python data only (``torch.load(..., weights_only=True)`` works, with or
  without this plugin), written atomically;
* ``OUT`` with the suffix ``.py`` (or ``--out-config``): the student's own
  ``ImageClassifier`` config — the distillation config's ``architecture``
  with the distillation model's ``data_preprocessor``, mmengine's plain
  val/test loops, no distillation hooks, ``load_from`` pointing at ``OUT``;
  data pipelines and evaluators are kept. When nothing in it needs this
  plugin (e.g. an mmpretrain ResNet student on ImageNet), the plugin's
  imports, hooks and file backend are removed too, so that mmpretrain alone
  runs it.

Both work with ``mmpretrain.apis.ImageClassificationInferencer`` and with
``tools/test.py`` (ours or mmpretrain's). With ``--fold-serial-head`` an AEKT
student's ``SerialClsHead`` (``ser∘fc``) is folded into one linear layer
(see ``tools/fold_serial_head.py``) and the head becomes a ``LinearClsHead``;
without it the ``SerialClsHead`` is kept as is.

The config is read from the checkpoint itself (mmengine stores the training
config in ``meta['cfg']``) unless ``--config`` is given.

Usage::

    python tools/export_student.py \\
        work_dirs/ldrld_r34_r18_imagenet/epoch_100.pth student.pth
    python tools/export_student.py \\
        work_dirs/aekt_r34_r18_imagenet/epoch_100.pth student_aekt.pth \\
        --fold-serial-head
"""
import argparse
import copy
import os
import os.path as osp
import sys
from collections import OrderedDict
from typing import Any, Dict, Iterator, Mapping, Optional, Sequence

TOOLS_DIR = osp.dirname(osp.abspath(__file__))
REPO_ROOT = osp.dirname(TOOLS_DIR)
if REPO_ROOT not in sys.path:
    sys.path.insert(0, REPO_ROOT)
if TOOLS_DIR not in sys.path:
    sys.path.insert(0, TOOLS_DIR)

from fold_serial_head import (fold_state_dict, plain_meta,  # noqa: E402
                              write_checkpoint)

__all__ = [
    'extract_student', 'student_config', 'needs_plugin', 'export_student',
    'parse_args', 'main'
]

STUDENT_PREFIX = 'architecture.'
NON_STUDENT_PREFIXES = ('teacher.', 'distiller.')
#: top-level keys kept in the student config: what mmengine's
#: ``Runner.from_cfg`` and mmpretrain's tools/inferencer read, and the usual
#: data helper variables (everything else of a distillation config — the
#: ``student`` / ``teacher`` / ``distill`` helpers, loss settings, hooks
#: defined as variables — describes the distillation, not the student)
KEEP_KEYS = frozenset((
    'model', 'default_scope', 'custom_imports', 'train_dataloader',
    'val_dataloader', 'test_dataloader', 'train_cfg', 'val_cfg', 'test_cfg',
    'auto_scale_lr', 'optim_wrapper', 'param_scheduler', 'val_evaluator',
    'test_evaluator', 'default_hooks', 'custom_hooks', 'data_preprocessor',
    'load_from', 'env_cfg', 'log_processor', 'log_level', 'visualizer',
    'vis_backends', 'randomness', 'model_wrapper_cfg', 'compile',
    'tta_model', 'dataset_type', 'data_root'))


class ExportError(ValueError):
    """The checkpoint or config cannot be exported as asked."""


def extract_student(state_dict: Mapping[str, Any]) -> 'OrderedDict[str, Any]':
    """The student's weights of a distillation (or student) state dict.

    Args:
        state_dict: the checkpoint's ``state_dict``.

    Returns:
        OrderedDict: ``architecture.*`` keys without the prefix; a state dict
        without teacher/distiller keys is returned unchanged (already a
        student).

    Raises:
        ExportError: a teacher/distiller but no student.
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


def _registered_class(name: str) -> Optional[type]:
    """Resolve a type name as mmpretrain's runner would (None if unknown)."""
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
                return cls
    return None


def needs_plugin(cfg: Any, ignore: Sequence[str] = ('custom_hooks', )) -> bool:
    """Whether a config uses a class of mmkd_logits or mmrazor.

    Args:
        cfg: the config (``mmengine.Config`` or dict).
        ignore: top-level keys not to look at.
    """
    for key, value in cfg.items():
        if key in ignore:
            continue
        for type_ in _types(value):
            cls = type_ if isinstance(type_, type) else (
                _registered_class(type_) if isinstance(type_, str) else None)
            module = getattr(cls, '__module__', '') or ''
            if module.startswith(('mmkd_logits', 'mmrazor')):
                return True
            if isinstance(type_, str) and type_.startswith('mmrazor.'):
                return True
    return False


def _is_plugin_hook(hook: Mapping[str, Any]) -> bool:
    hook_type = hook.get('type', '')
    if isinstance(hook_type, str):
        cls = _registered_class(hook_type)
        module = getattr(cls, '__module__', '') or ''
        return hook_type.startswith('mmrazor.') or module.startswith(
            ('mmkd_logits', 'mmrazor'))
    return getattr(hook_type, '__module__', '').startswith(
        ('mmkd_logits', 'mmrazor'))


def _is_distill_hook(hook: Mapping[str, Any]) -> bool:
    hook_type = hook.get('type', '')
    name = hook_type if isinstance(hook_type, str) else getattr(
        hook_type, '__name__', '')
    return 'Distill' in name


def _drop_atomic_backend(value: Any) -> None:
    """Remove ``backend_args=dict(backend='atomic_local')`` (our backend)."""
    if isinstance(value, dict):
        args = value.get('backend_args')
        if isinstance(args, dict) and args.get('backend') == 'atomic_local':
            value.pop('backend_args')
        for item in value.values():
            _drop_atomic_backend(item)
    elif isinstance(value, list):
        for item in value:
            _drop_atomic_backend(item)


def student_config(cfg: Any,
                   fold_serial_head: bool = False,
                   head: str = 'head',
                   keep_plugin: Optional[bool] = None) -> Any:
    """The student's mmpretrain config from a distillation config.

    Args:
        cfg (mmengine.Config): the training config (a distillation config, or
            already a student config).
        fold_serial_head: make the head a ``LinearClsHead`` (the weights are
            folded by :func:`export_student`). Defaults to False.
        head: attribute name of the student's head. Defaults to ``'head'``.
        keep_plugin: keep ``custom_imports`` of mmkd_logits and the plugin's
            hooks/file backend. ``None`` (default) keeps them only when the
            student config needs them (a model, dataset or transform of the
            plugin).

    Returns:
        mmengine.Config: a new config whose ``model`` is an
        ``ImageClassifier``.
    """
    from mmengine.config import Config, ConfigDict
    cfg = Config(copy.deepcopy(cfg.to_dict()))
    for key in [k for k in cfg.keys()
                if k not in KEEP_KEYS and not k.endswith('_pipeline')]:
        cfg.pop(key)
    model = cfg.model
    if 'architecture' in model:
        student = model.architecture
        if 'cfg_path' in student:
            from mmengine.hub import get_config
            student = get_config(student.cfg_path).model
        student = ConfigDict(copy.deepcopy(dict(student)))
        if student.get('data_preprocessor') is None and \
                model.get('data_preprocessor') is not None:
            student.data_preprocessor = model.data_preprocessor
        student.setdefault('_scope_', 'mmpretrain')
        model = student
    if head not in model:
        raise ExportError(f'the student model config has no {head!r}')
    if fold_serial_head:
        model[head].type = 'LinearClsHead'
        model[head].pop('ser_bias', None)
    cfg.model = model
    for loop in ('val_cfg', 'test_cfg'):
        if 'Distill' in str((cfg.get(loop) or {}).get('type', '')):
            cfg[loop] = dict()
    hooks = [h for h in (cfg.get('custom_hooks') or [])
             if not _is_distill_hook(h)]
    if keep_plugin is None:
        keep_plugin = needs_plugin(cfg)
    if not keep_plugin:
        hooks = [h for h in hooks if not _is_plugin_hook(h)]
        imports = (cfg.get('custom_imports') or {}).get('imports') or []
        if isinstance(imports, str):
            imports = [imports]
        rest = [m for m in imports if m.split('.')[0] != 'mmkd_logits']
        if rest:
            cfg.custom_imports.imports = rest
        else:
            cfg.pop('custom_imports', None)
        _drop_atomic_backend(cfg._cfg_dict)
    cfg.custom_hooks = hooks
    return cfg


def _load_config(ckpt_meta: Mapping[str, Any], config: Optional[str]) -> Any:
    from mmengine.config import Config
    if config:
        return Config.fromfile(config)
    text = ckpt_meta.get('cfg') if isinstance(ckpt_meta, Mapping) else None
    if not isinstance(text, str):
        raise ExportError('the checkpoint has no training config in '
                          "meta['cfg']; pass it with --config CONFIG")
    return Config.fromstring(text, '.py')


def export_student(src: str,
                   dst: str,
                   config: Optional[str] = None,
                   out_config: Optional[str] = None,
                   fold_serial_head: bool = False,
                   head: str = 'head',
                   keep_plugin: Optional[bool] = None,
                   trust: bool = False) -> Dict[str, Any]:
    """Write the student of ``src`` to ``dst`` and its config.

    Args:
        src: a distillation checkpoint (or a student checkpoint).
        dst: output checkpoint (written atomically).
        config: the training config; ``None`` reads ``meta['cfg']`` of
            ``src``.
        out_config: where to write the student config; ``None`` uses
            ``dst`` with the suffix ``.py``.
        fold_serial_head: fold a ``SerialClsHead`` into a ``LinearClsHead``.
        head: name of the student's head module.
        keep_plugin: see :func:`student_config`.
        trust: allow full unpickling of ``src`` if a weights-only load
            refuses it (only for files you trust).

    Returns:
        dict: ``{'checkpoint': path, 'config': path, 'meta': meta}``.
    """
    import mmkd_logits
    from mmkd_logits.compat import checkpoint as ckpt_io
    if trust:
        ckpt_io.trust_file(src)
    loaded = ckpt_io.load(src, map_location='cpu')
    if not isinstance(loaded, Mapping):
        raise ExportError(f'{src}: not a checkpoint (got '
                          f'{type(loaded).__name__})')
    if 'state_dict' in loaded:
        state_dict, meta = loaded['state_dict'], loaded.get('meta') or {}
    else:
        state_dict, meta = loaded, {}
    student = extract_student(state_dict)
    has_ser = f'{head}.ser.weight' in student
    if fold_serial_head and not has_ser:
        raise ExportError(
            f'--fold-serial-head: the student has no {head}.ser (not a '
            'SerialClsHead); export it without the option')
    if fold_serial_head:
        student = fold_state_dict(student, head)
    cfg = student_config(_load_config(meta, config), fold_serial_head, head,
                         keep_plugin)
    head_type = cfg.model[head].get('type')
    if has_ser and not fold_serial_head and head_type != 'SerialClsHead':
        raise ExportError(
            f'the checkpoint has {head}.ser weights but the config\'s head is '
            f'{head_type!r}; is --config the training config?')

    dst = osp.abspath(osp.expanduser(dst))
    out_config = osp.abspath(osp.expanduser(
        out_config or osp.splitext(dst)[0] + '.py'))
    cfg.load_from = dst
    out_meta = dict(plain_meta({k: v for k, v in meta.items()
                                if k != 'cfg'}) or {}) \
        if isinstance(meta, Mapping) else {}
    weight = student.get(f'{head}.fc.weight')
    cfg_text = cfg.pretty_text  # formatting is slow (yapf): do it once
    out_meta.update(
        cfg=cfg_text,
        exported_from=osp.abspath(src),
        exported_by='mmkd_logits tools/export_student.py',
        mmkd_logits_version=mmkd_logits.__version__,
        head_type=str(head_type),
        serial_head_folded=bool(fold_serial_head))
    if weight is not None and getattr(weight, 'dim', lambda: 0)() == 2:
        out_meta['num_classes'] = int(weight.shape[0])
    write_checkpoint({'state_dict': student, 'meta': out_meta}, dst)
    os.makedirs(osp.dirname(out_config), exist_ok=True)
    with open(out_config, 'w', encoding='utf-8') as f:
        f.write(cfg_text)  # what ``Config.dump`` writes for a .py file
    return {'checkpoint': dst, 'config': out_config, 'meta': out_meta}


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    """Command-line arguments (see the module docstring)."""
    parser = argparse.ArgumentParser(
        description='Strip the teacher and the distiller from a distillation '
        'checkpoint: write the student as a plain mmpretrain checkpoint and '
        'its ImageClassifier config.')
    parser.add_argument('checkpoint', help='distillation checkpoint')
    parser.add_argument('out', help='output checkpoint path')
    parser.add_argument('--config',
                        help='training config (default: the one stored in '
                        "the checkpoint's meta)")
    parser.add_argument('--out-config',
                        help='where to write the student config (default: '
                        'OUT with the suffix .py)')
    parser.add_argument('--fold-serial-head', action='store_true',
                        help="fold an AEKT student's SerialClsHead (ser∘fc) "
                        'into one linear layer: a plain LinearClsHead')
    parser.add_argument('--head', default='head',
                        help="name of the student's head module")
    plugin = parser.add_mutually_exclusive_group()
    plugin.add_argument('--keep-plugin', dest='keep_plugin',
                        action='store_true', default=None,
                        help='keep mmkd_logits imports/hooks in the config '
                        'even if the student does not need them')
    plugin.add_argument('--no-plugin', dest='keep_plugin',
                        action='store_false',
                        help='remove mmkd_logits imports/hooks from the '
                        'config even if something seems to need them')
    parser.add_argument('--trust-checkpoint', action='store_true',
                        help='allow full unpickling of CHECKPOINT if a '
                        'weights-only load refuses it (trusted files only)')
    return parser.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Entry point; returns the exit status."""
    args = parse_args(argv)
    try:
        out = export_student(args.checkpoint, args.out, config=args.config,
                             out_config=args.out_config,
                             fold_serial_head=args.fold_serial_head,
                             head=args.head, keep_plugin=args.keep_plugin,
                             trust=args.trust_checkpoint)
    except (ValueError, FileNotFoundError, OSError) as err:
        print(f'export_student: error: {err}', file=sys.stderr)
        return 1
    except Exception as err:  # e.g. UntrustedCheckpointError
        if type(err).__name__ != 'UntrustedCheckpointError':
            raise
        print(f'export_student: error: {err}', file=sys.stderr)
        return 1
    meta = out['meta']
    print(f"student ({meta['head_type']}"
          + (', SerialClsHead folded' if meta['serial_head_folded'] else '')
          + f"): {out['checkpoint']}")
    print(f"student config: {out['config']}")
    if meta['head_type'] == 'SerialClsHead':
        print('note: the student keeps its SerialClsHead (needs mmkd_logits);'
              ' add --fold-serial-head for a plain LinearClsHead model')
    return 0


if __name__ == '__main__':
    sys.exit(main())
