"""Check a config's whole dataset up front: every label and every image.

:func:`verify_dataset` is what ``tools/misc/verify_dataset.py`` runs. It
builds the config's train and/or val dataset, checks every label against
the model's number of classes (as
:class:`~mmkd_logits.engine.hooks.DatasetCheckHook` does before training)
and reads and fully decodes every image file with the checks of
:class:`~mmkd_logits.datasets.transforms.CheckedLoadImageFromFile`, and
returns every problem found, each naming its file.
"""
import copy
import sys
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Dict, List, Optional, Tuple

from mmcv.transforms import LoadImageFromFile
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.utils import track_parallel_progress, track_progress

from .checks import (CorruptImageError, dataset_labels, describe_sample,
                     find_bad_labels, image_paths, load_image_file,
                     unwrap_datasets)

__all__ = [
    'DatasetProblem', 'VerifyReport', 'num_classes_from_config',
    'build_split_datasets', 'verify_dataset'
]

SPLITS = ('train', 'val', 'both')

#: bad labels listed per dataset (they usually share one cause)
MAX_LABELS_LISTED = 20


@dataclass
class DatasetProblem:
    """One bad sample: ``where`` names the file (and line / index),
    ``reason`` what is wrong."""
    split: str
    kind: str  # 'label' or 'image'
    where: str
    reason: str

    def __str__(self) -> str:
        return f'[{self.split}] {self.kind}: {self.where}: {self.reason}'


@dataclass
class VerifyReport:
    """What :func:`verify_dataset` checked and found."""
    num_classes: Optional[int]
    checked: Dict[str, Dict[str, int]] = field(default_factory=dict)
    problems: List[DatasetProblem] = field(default_factory=list)
    #: bad labels found but not listed in ``problems``, per split
    unlisted_labels: Dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        """A few lines: counts per split, then every problem."""
        lines = []
        for split, counts in self.checked.items():
            lines.append(f'{split}: {counts["samples"]} samples, '
                         f'{counts["labels"]} labels, {counts["images"]} '
                         'image files checked')
        if self.num_classes is None:
            lines.append('labels not checked: no num_classes in the config '
                         '(model head or data_preprocessor); pass '
                         '--num-classes')
        if self.ok:
            lines.append('no problem found')
            return '\n'.join(lines)
        lines.append(
            f'{len(self.problems) + sum(self.unlisted_labels.values())}'
            ' problem(s):')
        lines.extend(f'  {p}' for p in self.problems)
        for split, more in self.unlisted_labels.items():
            if more:
                lines.append(f'  [{split}] ... and {more} more bad label(s)')
        return '\n'.join(lines)


def num_classes_from_config(cfg: Config) -> Optional[int]:
    """The student's / model's ``head.num_classes`` of a config, else its
    ``data_preprocessor.num_classes``, or ``None``."""
    model = cfg.get('model', None) or {}
    for sub in (model.get('architecture'), model):
        head = sub.get('head') if isinstance(sub, dict) else None
        if isinstance(head, dict) and isinstance(head.get('num_classes'), int):
            return head['num_classes']
    for pre in (model.get('data_preprocessor'), cfg.get('data_preprocessor')):
        if isinstance(pre, dict) and isinstance(pre.get('num_classes'), int):
            return pre['num_classes']
    return None


def build_split_datasets(cfg: Config, split: str = 'both') -> Dict[str, Any]:
    """``{'train': dataset, 'val': dataset}`` (those asked for and present)
    built from ``cfg``'s ``train_dataloader`` / ``val_dataloader``."""
    if split not in SPLITS:
        raise ValueError(f'split must be one of {SPLITS}, got {split!r}')
    from mmpretrain.registry import DATASETS
    init_default_scope(cfg.get('default_scope', 'mmpretrain'))
    out = {}
    for name in ('train', 'val'):
        if split not in (name, 'both'):
            continue
        loader = cfg.get(f'{name}_dataloader', None)
        if not loader:
            if split == name:
                raise ValueError(f'the config has no {name}_dataloader')
            continue
        out[name] = DATASETS.build(copy.deepcopy(loader['dataset']))
    return out


def _loading_args(dataset: Any) -> Dict[str, Any]:
    """How the dataset's pipeline decodes images (its first
    ``LoadImageFromFile``-like transform), else mmcv's defaults."""
    transforms = getattr(getattr(dataset, 'pipeline', None), 'transforms', [])
    for t in transforms:
        if isinstance(t, LoadImageFromFile):
            return dict(
                color_type=t.color_type,
                imdecode_backend=t.imdecode_backend,
                backend_args=t.backend_args)
    return dict(color_type='color', imdecode_backend='cv2', backend_args=None)


def _check_image(path: str, **loading) -> Optional[Tuple[str, str]]:
    """``(path, reason)`` if the image cannot be used, else ``None``."""
    try:
        load_image_file(path, **loading)
    except CorruptImageError as err:
        return err.path, err.reason
    return None


def _check_labels(split: str, dataset: Any, num_classes: int,
                  report: VerifyReport) -> int:
    labels = dataset_labels(dataset)
    if labels is None:
        return 0
    bad, values = find_bad_labels(labels, num_classes)
    for i, v in zip(bad[:MAX_LABELS_LISTED], values[:MAX_LABELS_LISTED]):
        report.problems.append(
            DatasetProblem(
                split, 'label',
                f'{describe_sample(dataset, int(i))} (sample {int(i)})',
                f'label {int(v)} out of range [0, {num_classes - 1}]'))
    more = max(len(bad) - MAX_LABELS_LISTED, 0)
    report.unlisted_labels[split] = report.unlisted_labels.get(split, 0) + more
    return len(labels)


def verify_dataset(cfg: Config,
                   split: str = 'both',
                   num_workers: int = 1,
                   num_classes: Optional[int] = None,
                   check_images: bool = True) -> VerifyReport:
    """Check every label and every image file of ``cfg``'s dataset(s).

    Args:
        cfg (Config): a training config (``train_dataloader`` /
            ``val_dataloader``, ``model``).
        split (str): ``'train'``, ``'val'`` or ``'both'``.
        num_workers (int): processes that decode images (1: this one).
        num_classes (int, optional): overrides
            :func:`num_classes_from_config`.
        check_images (bool): also read and decode every image file (with a
            progress bar on stdout); datasets that keep images in memory
            (CIFAR, MNIST) have none.

    Returns:
        VerifyReport: counts and every problem found.
    """
    if num_classes is None:
        num_classes = num_classes_from_config(cfg)
    report = VerifyReport(num_classes=num_classes)
    for name, dataset in build_split_datasets(cfg, split).items():
        counts = dict(samples=0, labels=0, images=0)
        for inner in unwrap_datasets(dataset):
            counts['samples'] += len(inner)
            if num_classes is not None:
                counts['labels'] += _check_labels(name, inner, num_classes,
                                                  report)
            if not check_images:
                continue
            paths = [path for _, path in image_paths(inner)]
            if not paths:
                continue
            print(
                f'{name}: checking {len(paths)} image files of '
                f'{type(inner).__name__}',
                flush=True)
            func = partial(_check_image, **_loading_args(inner))
            if num_workers > 1:
                results = track_parallel_progress(
                    func,
                    paths,
                    num_workers,
                    chunksize=max(1, min(64,
                                         len(paths) // num_workers)),
                    file=sys.stdout)
            else:
                results = track_progress(func, paths, file=sys.stdout)
            counts['images'] += len(paths)
            report.problems.extend(
                DatasetProblem(name, 'image', path, reason)
                for path, reason in filter(None, results))
        report.checked[name] = counts
    return report
