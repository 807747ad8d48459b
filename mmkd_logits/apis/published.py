"""The published top-1 / top-5 of every config, read from the model index.

The data live in OpenMMLab's model-index format (what mmpretrain and mmrazor
ship and ``mim search`` reads): ``model-index.yml`` at the repository root
imports one metafile per method from ``configs/metafiles/``. A metafile has
one ``Collections`` entry (the method: paper title and URL, the
documentation page) and one ``Models`` entry per config::

    - Name: dkd_r56_r20_cifar100            # the config's file stem
      In Collection: DKD                    # the method
      Config: configs/dkd_r56_r20_cifar100.py
      Metadata:
        Training Data: CIFAR-100
        Teacher: resnet56                   # (vanilla configs: Network)
        Student: resnet20
        Epochs: 240
        Batch Size: 64                      # the total batch
      Results:                              # [] = nothing published
        - Task: Image Classification
          Dataset: CIFAR-100
          Metrics:
            Top 1 Accuracy: 71.97
      Published:                            # where the number comes from
        Source: DKD (Zhao et al., CVPR 2022) and the mdistiller README
        Source Key: D                       # the README legend's letter
        Verified: true                      # false: from a secondary copy
        Remark: ablation                    # (optional) shown in tables

``Published`` is a custom model field, which the ``modelindex`` package
keeps as it is (``model.data['Published']``). Paths (``Config``,
``README``) are relative to the repository root, as in OpenMMLab's
metafiles.
"""
import math
import os.path as osp
from dataclasses import dataclass
from typing import Any, Dict, List, Optional

__all__ = [
    'MODEL_INDEX', 'TASK', 'TOP1', 'TOP5', 'PublishedResult',
    'ModelIndexError', 'default_model_index', 'load_published'
]

#: file name of the root model index
MODEL_INDEX = 'model-index.yml'
#: the ``Task`` of the results this package reads
TASK = 'Image Classification'
#: metric names (mmpretrain's spelling)
TOP1 = 'Top 1 Accuracy'
TOP5 = 'Top 5 Accuracy'


class ModelIndexError(ValueError):
    """The model index or one of its metafiles is malformed."""


@dataclass(frozen=True)
class PublishedResult:
    """One config of the model index and what was published for it.

    Attributes:
        config: the config's file stem (the model's ``Name``).
        config_path: the config file, relative to the repository root.
        method: the collection, e.g. ``'DKD'`` or ``'SD-KD'``.
        dataset: the dataset of the result (or the training data).
        teacher: the teacher's name, ``None`` for a network trained alone.
        student: the student's name (the network, for a vanilla config).
        top1: the published top-1 (%), ``None`` if nothing was published.
        top5: the published top-5 (%), ``None`` if not published.
        source: the paper (and table) or README the numbers come from.
        source_key: the letter of the source in the README's legend.
        verified: whether the number was read from the primary source
            (``False``: from a secondary copy of the paper).
        remark: a short note shown next to the number (e.g. ``ablation``).
        metafile: the metafile that holds the entry.
    """
    config: str
    config_path: str
    method: str
    dataset: str
    teacher: Optional[str]
    student: Optional[str]
    top1: Optional[float] = None
    top5: Optional[float] = None
    source: Optional[str] = None
    source_key: Optional[str] = None
    verified: Optional[bool] = None
    remark: Optional[str] = None
    metafile: Optional[str] = None

    @property
    def pair(self) -> Optional[str]:
        """``'teacher → student'``, or ``None`` without a teacher."""
        if self.teacher is None:
            return None
        return f'{self.teacher} → {self.student}'

    @property
    def is_published(self) -> bool:
        """Whether a top-1 was published for this config."""
        return self.top1 is not None


def default_model_index() -> str:
    """``model-index.yml`` of this checkout (the repository root)."""
    root = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
    path = osp.join(root, MODEL_INDEX)
    if not osp.isfile(path):
        raise FileNotFoundError(
            f'{path} does not exist: the published results are read from the '
            'model index at the root of a checkout of mmkd_logits; pass the '
            'path of a model-index.yml explicitly')
    return path


def _number(value: Any, where: str, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) \
            or not math.isfinite(value):
        raise ModelIndexError(f'{where}: {name!r} must be a number, got '
                              f'{value!r}')
    return float(value)


def _text(value: Any, where: str, name: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ModelIndexError(f'{where}: {name!r} must be a non-empty '
                              f'string, got {value!r}')
    return value


def _result(model, where: str) -> Optional[Any]:
    """The model's single image-classification result, if any."""
    results = [r for r in (model.results or []) if r.task == TASK]
    others = [r.task for r in (model.results or []) if r.task != TASK]
    if others:
        raise ModelIndexError(f'{where}: results of task(s) {others} '
                              f'(only {TASK!r} is read)')
    if len(results) > 1:
        raise ModelIndexError(f'{where}: {len(results)} {TASK!r} results; '
                              'give one')
    return results[0] if results else None


def _entry(model, collections: Dict[str, Any], root: str,
           check_configs: bool) -> PublishedResult:
    name = model.name
    metafile = model.filepath
    where = f'{metafile}: model {name!r}'
    method = model.in_collection
    if method not in collections:
        raise ModelIndexError(f'{where}: In Collection {method!r} is not a '
                              f'collection (known: {sorted(collections)})')
    config = _text(model.config, where, 'Config')
    if check_configs and not osp.isfile(osp.join(root, config)):
        raise ModelIndexError(f'{where}: Config {config!r} does not exist '
                              f'(relative to {root})')
    if osp.splitext(osp.basename(config))[0] != name:
        raise ModelIndexError(f'{where}: the Name must be the stem of the '
                              f'Config, got Config {config!r}')
    meta = model.metadata.data if model.metadata is not None else {}
    training_data = _text(meta.get('Training Data'), where, 'Training Data')
    teacher = meta.get('Teacher')
    student = meta.get('Student', meta.get('Network'))
    if teacher is not None:
        _text(teacher, where, 'Teacher')
        _text(student, where, 'Student')

    result = _result(model, where)
    published = model.data.get('Published')
    fields: Dict[str, Any] = {}
    if result is not None:
        metrics = result.metrics or {}
        unknown = set(metrics) - {TOP1, TOP5}
        if unknown or TOP1 not in metrics:
            raise ModelIndexError(
                f'{where}: Metrics must have {TOP1!r} (and may have '
                f'{TOP5!r}), got {sorted(metrics)}')
        fields['top1'] = _number(metrics[TOP1], where, TOP1)
        if TOP5 in metrics:
            fields['top5'] = _number(metrics[TOP5], where, TOP5)
        if not isinstance(published, dict):
            raise ModelIndexError(
                f'{where}: a published number needs a Published entry with '
                'its Source, Source Key and Verified')
        fields['source'] = _text(published.get('Source'), where, 'Source')
        fields['source_key'] = _text(
            published.get('Source Key'), where, 'Source Key')
        verified = published.get('Verified')
        if not isinstance(verified, bool):
            raise ModelIndexError(f'{where}: Verified must be true or false, '
                                  f'got {verified!r}')
        fields['verified'] = verified
        if published.get('Remark') is not None:
            fields['remark'] = _text(published['Remark'], where, 'Remark')
        unknown = set(published) - {
            'Source', 'Source Key', 'Verified', 'Remark'
        }
        if unknown:
            raise ModelIndexError(f'{where}: unknown Published field(s) '
                                  f'{sorted(unknown)}')
    elif published is not None:
        raise ModelIndexError(f'{where}: Published without a result')
    dataset = result.dataset if result is not None else training_data
    return PublishedResult(
        config=name,
        config_path=config,
        method=method,
        dataset=dataset,
        teacher=teacher,
        student=student,
        metafile=osp.relpath(metafile, root) if metafile else None,
        **fields)


def load_published(path: Optional[str] = None,
                   check_configs: bool = True) -> Dict[str, PublishedResult]:
    """Read every config's entry from a model index.

    Args:
        path: a ``model-index.yml`` (or the folder that holds one); default:
            the one at the root of this checkout.
        check_configs: also check that every ``Config`` file exists.

    Returns:
        dict: config stem → :class:`PublishedResult`, in the order of the
        index (its ``Import`` list, then each metafile's order).

    Raises:
        FileNotFoundError: the index does not exist.
        ModelIndexError: a metafile is missing or malformed (the message
            names the file and the model).
    """
    from modelindex.load_model_index import load
    if path is None:
        path = default_model_index()
    if osp.isdir(path):
        path = osp.join(path, MODEL_INDEX)
    if not osp.isfile(path):
        raise FileNotFoundError(f'model index {path} does not exist')
    path = osp.abspath(path)
    root = osp.dirname(path)
    index = load(path)
    # modelindex records unreadable imports as errors instead of raising
    if index.check_errors:
        raise ModelIndexError(f'{path}: ' + '; '.join(index.check_errors))
    collections: Dict[str, Any] = {}
    for col in index.collections:
        where = f'{col.filepath}: collection {col.name!r}'
        if col.name in collections:
            raise ModelIndexError(f'{where} is defined twice')
        readme = col.readme
        if readme and not osp.isfile(osp.join(root, readme)):
            raise ModelIndexError(f'{where}: README {readme!r} does not '
                                  f'exist (relative to {root})')
        collections[col.name] = col
    out: Dict[str, PublishedResult] = {}
    for model in index.models:
        entry = _entry(model, collections, root, check_configs)
        if entry.config in out:
            raise ModelIndexError(
                f'{model.filepath}: model {entry.config!r} is also in '
                f'{out[entry.config].metafile}')
        out[entry.config] = entry
    # anything else modelindex's checker finds; it resolves README paths
    # from the metafile's folder, while OpenMMLab writes them from the
    # repository root (checked above)
    errors: List[str] = [
        f'{e}' for e in index.check(silent=True)
        if 'Path to README file' not in str(e)
    ]
    if errors:
        raise ModelIndexError(f'{path}: ' + '; '.join(errors))
    return out
