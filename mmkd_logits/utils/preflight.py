"""Checks that can only run before anything is built: paths on disk.

:func:`preflight_check` runs in ``tools/train.py`` right after the config is
read, before the runner builds models or datasets, so that the mistakes users
hit first stop the run in its first lines of output:

* ``model.teacher_ckpt`` is a local path that does not exist;
* ``model.teacher_ckpt`` is not set in a distillation config (the teacher
  would keep random weights) and ``model.distiller.allow_random_teacher``
  is not set (``tools/train.py --random-teacher``) — the same rule
  :class:`~mmkd_logits.models.distillers.LogitDistiller` enforces when the
  model is built, for in-process users;
* a ``data_root`` (or an explicit ``ann_file`` / ``data_prefix``) of the
  train / val dataloaders does not exist (datasets that download
  themselves are left alone).

Everything about the model itself (loss arguments, mappings, recorders,
class counts) is checked once, by the distiller, where it is built.
"""
import inspect
import os.path as osp
import re
from typing import Any, List, Mapping, Tuple

from .errors import ConfigError

__all__ = ['preflight_check', 'check_dataset_paths', 'check_teacher']

_URL = re.compile(r'^[a-zA-Z][a-zA-Z0-9+.-]*://')


def _type_name(obj_type: Any) -> str:
    if isinstance(obj_type, str):
        return obj_type.split('.')[-1]
    return getattr(obj_type, '__name__', str(obj_type))


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


def check_dataset_paths(
    cfg: Mapping,
    loaders: Tuple[str, ...] = ('train_dataloader', 'val_dataloader')
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
        for key, ds in _walk_datasets(
                loader_cfg.get('dataset'), f'{loader}.dataset'):
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
            return [
                f'{key}.data_root = {root!r} {what} ({ds_type}; looked '
                f'in {osp.abspath(osp.expanduser(root))}): {fix}'
            ]
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
    entries = prefix.items() if isinstance(
        prefix, Mapping) else ([('',
                                 prefix)] if isinstance(prefix, str) else [])
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


# ---------------------------------------------------------------- teacher
def check_teacher(cfg: Mapping) -> List[str]:
    """Problems with ``model.teacher_ckpt`` of a distillation config."""
    model = cfg.get('model', None)
    if not isinstance(model, Mapping) or 'teacher' not in model:
        return []
    ckpt = model.get('teacher_ckpt', None)
    distiller = model.get('distiller', None) or {}
    if not ckpt:
        if distiller.get('allow_random_teacher', False):
            return []
        return [
            'model.teacher_ckpt is not set: the teacher would keep random '
            'weights and teach noise. Set it to the teacher checkpoint '
            '(--cfg-options model.teacher_ckpt=PATH), or pass '
            '--random-teacher (model.distiller.allow_random_teacher=True) '
            'for a smoke run'
        ]
    if not isinstance(ckpt, str):
        return [f'model.teacher_ckpt must be a path or URL, got {ckpt!r}']
    if _URL.match(ckpt):
        return []
    if not osp.isfile(osp.expanduser(ckpt)):
        return [
            f'model.teacher_ckpt = {ckpt!r} does not exist (looked for '
            f'{osp.abspath(osp.expanduser(ckpt))}): bring the teacher '
            'checkpoint there (README "Teacher checkpoints") or point '
            'the config at it: --cfg-options model.teacher_ckpt=PATH'
        ]
    return []


def preflight_check(cfg: Mapping) -> None:
    """Raise one :class:`ConfigError` listing every problem found on disk.

    Cheap (no model, no dataset is built): call it right after reading the
    config.
    """
    problems = check_teacher(cfg) + check_dataset_paths(cfg)
    if problems:
        raise ConfigError(problems)
