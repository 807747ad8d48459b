"""Checks of a dataset's labels and image files that name the culprit.

Without them a label outside ``[0, num_classes)`` surfaces as
``IndexError: Target 150 is out of bounds`` from the cross-entropy loss,
and an empty or truncated image as a bare OpenCV assertion when the
sampler first draws it (for a validation image: after a whole training
epoch). Here:

* :func:`check_labels` reads every label of a built dataset (annotations
  only, no image is decoded) and raises :class:`DatasetError` naming the
  dataset, the file the label came from (CIFAR pickle, annotation file and
  line, image path, ...), the sample index, the bad label and the accepted
  range.
* :func:`load_image_file` reads and decodes one image and raises
  :class:`CorruptImageError` naming the path and the reason (missing,
  empty, truncated, cannot be decoded).

:class:`~mmkd_logits.engine.hooks.DatasetCheckHook` runs the label check
before the first training iteration,
:class:`~mmkd_logits.datasets.transforms.CheckedLoadImageFromFile` the image
check on every image it loads, and :func:`~mmkd_logits.datasets.verify.
verify_dataset` both over a whole dataset.
"""
import pickle
from typing import Any, List, Optional, Tuple

import mmcv
import numpy as np
from mmengine import fileio

__all__ = [
    'DatasetError', 'CorruptImageError', 'unwrap_datasets', 'dataset_labels',
    'find_bad_labels', 'describe_sample', 'check_labels', 'truncation_reason',
    'load_image_file', 'image_paths'
]


class DatasetError(ValueError):
    """A dataset's content cannot be trained on; the message names the
    dataset, the file and the sample."""


class CorruptImageError(DatasetError):
    """An image file that cannot be used.

    Attributes:
        path (str): the image file.
        reason (str): why (``'missing or unreadable'``, ``'empty file'``,
            ``'truncated JPEG'``, ``'cannot be decoded'``, ...).

    Also constructible from one message, as PyTorch's DataLoader does when it
    re-raises a worker's exception in the main process (so the type
    survives; ``path`` is then the whole message).
    """

    def __init__(self, path: str, reason: str = '') -> None:
        self.path = path
        self.reason = reason
        super().__init__(f'corrupt image {path}: {reason}' if reason else path)

    def __reduce__(self):  # keep (path, reason) across processes
        return type(self), (self.path, self.reason)


# --------------------------------------------------------------------------
# labels


def unwrap_datasets(dataset: Any) -> List[Any]:
    """The datasets that hold samples inside dataset wrappers.

    ``ConcatDataset`` contributes each of its ``datasets``;
    ``RepeatDataset``, ``ClassBalancedDataset``, ``KFoldDataset`` and other
    wrappers with a ``dataset`` attribute their inner dataset (recursively).
    Anything else is returned as it is.
    """
    inner = getattr(dataset, 'datasets', None)
    if isinstance(inner, (list, tuple)):
        return [d for sub in inner for d in unwrap_datasets(sub)]
    wrapped = getattr(dataset, 'dataset', None)
    if wrapped is not None and not hasattr(dataset, 'load_data_list'):
        return unwrap_datasets(wrapped)
    return [dataset]


def _data_infos(dataset: Any):
    """Every sample's annotation dict, without running the pipeline."""
    if hasattr(dataset, 'full_init'):
        dataset.full_init()
    data_bytes = getattr(dataset, 'data_bytes', None)
    if getattr(dataset, 'serialize_data', False) and data_bytes is not None:
        # mmengine's serialized data list: one pickle per sample
        view = memoryview(data_bytes)
        end = dataset.data_address.tolist()
        start = [0] + end[:-1]
        return (pickle.loads(view[s:e]) for s, e in zip(start, end))
    data_list = getattr(dataset, 'data_list', None)
    if data_list is not None:
        return iter(data_list)
    return (dataset.get_data_info(i) for i in range(len(dataset)))


def dataset_labels(dataset: Any) -> Optional[np.ndarray]:
    """All ``gt_label`` values of ``dataset`` as an int64 array, or ``None``
    if its samples carry no (single) label (e.g. an unlabelled test split).

    Reads annotations only (no image is loaded): about 0.2 s for CIFAR's
    50k samples (mmpretrain keeps each image inside its annotation), 1 s
    for ImageNet's 1.28M.
    """
    labels = [info.get('gt_label') for info in _data_infos(dataset)]
    if not labels or any(label is None for label in labels):
        return None
    try:
        array = np.asarray(labels)
    except ValueError:  # ragged: multi-label annotations
        return None
    if array.ndim != 1 or not np.issubdtype(array.dtype, np.integer):
        return None
    return array.astype(np.int64, copy=False)


def find_bad_labels(labels: np.ndarray,
                    num_classes: int) -> Tuple[np.ndarray, np.ndarray]:
    """Indices and values of the labels outside ``[0, num_classes)``."""
    bad = np.flatnonzero((labels < 0) | (labels >= num_classes))
    return bad, labels[bad]


def _source_index(dataset: Any, index: int, total: int) -> int:
    """Position of sample ``index`` in the dataset's source (file order),
    undoing mmengine's ``indices`` subset; ``total`` = samples in the
    source."""
    indices = getattr(dataset, '_indices', None)
    if indices is None:
        return index
    if isinstance(indices, int):
        return index if indices >= 0 else total + indices + index
    return int(indices[index])


def _cifar_location(dataset: Any, index: int) -> str:
    """``<pickle file>, sample k of that file`` for mmpretrain's CIFAR."""
    root = dataset.data_prefix['root']
    files = dataset.train_list if dataset.split == 'train' else \
        dataset.test_list
    counts = []
    paths = []
    for name, _ in files:
        path = fileio.join_path(root, dataset.base_folder, name)
        entry = pickle.loads(fileio.get(path), encoding='latin1')
        counts.append(len(entry.get('labels', entry.get('fine_labels', []))))
        paths.append(path)
    position = _source_index(dataset, index, sum(counts))
    for path, count in zip(paths, counts):
        if position < count:
            return f'{path}, sample {position} of that file'
        position -= count
    return f'{paths[-1]}'  # pragma: no cover - inconsistent subset


def _mnist_location(dataset: Any, index: int) -> str:
    """The labels file of mmpretrain's (Fashion-)MNIST."""
    files = dataset.train_list if not dataset.test_mode else \
        dataset.test_list
    name = files[1][0]
    if name.endswith('.gz'):
        name = name[:-3]
    path = fileio.join_path(dataset.data_prefix['root'], name)
    return f'{path}, label {index} of that file'


def _ann_file_location(dataset: Any, index: int) -> str:
    """``<ann_file>:<1-based line>: '<line>'``; mmpretrain's
    ``CustomDataset`` turns line k of the annotation file into sample k."""
    lines = fileio.list_from_file(dataset.ann_file)
    position = _source_index(dataset, index, len(lines))
    line = lines[position] if 0 <= position < len(lines) else ''
    return f'{dataset.ann_file}:{position + 1}: {line!r}'


def describe_sample(dataset: Any, index: int) -> str:
    """Where sample ``index`` of ``dataset`` comes from, for messages: the
    CIFAR pickle file, the (Fashion-)MNIST label file, the annotation file
    and 1-based line, or the image path."""
    from mmpretrain.datasets import CIFAR10, MNIST
    try:
        if isinstance(dataset, CIFAR10):
            return _cifar_location(dataset, index)
        if isinstance(dataset, MNIST):
            return _mnist_location(dataset, index)
        ann_file = getattr(dataset, 'ann_file', '')
        if ann_file and getattr(dataset, 'with_label', False):
            return _ann_file_location(dataset, index)
        info = dataset.get_data_info(index)
    except Exception as err:  # the location is a courtesy, never a crash
        return f'(location unknown: {type(err).__name__}: {err})'
    if 'img_path' in info:
        return str(info['img_path'])
    root = getattr(dataset, 'data_root', '') or ''
    return f'data_root {root!r}'


def _dataset_name(dataset: Any) -> str:
    split = getattr(dataset, 'split', None)
    name = type(dataset).__name__
    return f'{name} (split {split!r})' if split else name


def check_labels(dataset: Any,
                 num_classes: int,
                 max_listed: int = 5,
                 what: str = 'dataset') -> int:
    """Raise :class:`DatasetError` if a label of ``dataset`` is outside
    ``[0, num_classes)``.

    Dataset wrappers (Concat/Repeat/ClassBalanced) are unwrapped and each
    inner dataset is checked. The message names the dataset type, for the
    first ``max_listed`` bad samples their index, label and source file
    (:func:`describe_sample`), and the total count.

    Args:
        dataset: a built mmengine/mmpretrain dataset (or wrapper).
        num_classes (int): the classifier's number of classes.
        max_listed (int): bad samples listed in the message.
        what (str): how the message calls the dataset (``'train dataset'``).

    Returns:
        int: the number of labels checked (0 if the dataset has none).
    """
    checked = 0
    for inner in unwrap_datasets(dataset):
        labels = dataset_labels(inner)
        if labels is None:
            continue
        checked += len(labels)
        bad, values = find_bad_labels(labels, num_classes)
        if len(bad) == 0:
            continue
        lines = [
            f'  sample {int(i)}: label {int(v)} ({describe_sample(inner, i)})'
            for i, v in zip(bad[:max_listed], values[:max_listed])
        ]
        if len(bad) > max_listed:
            lines.append(f'  ... and {len(bad) - max_listed} more')
        raise DatasetError(
            f'{what} {_dataset_name(inner)}: {len(bad)} of {len(labels)} '
            f'labels out of range [0, {num_classes - 1}] (num_classes='
            f'{num_classes}):\n' + '\n'.join(lines) +
            '\nFix the annotation, or set num_classes (the model head and '
            'data_preprocessor) to the dataset\'s number of classes.')
    return checked


# --------------------------------------------------------------------------
# images

_JPEG_SOI = b'\xff\xd8\xff'
_JPEG_SOS = b'\xff\xda'
_JPEG_EOI = b'\xff\xd9'
_PNG_SIGNATURE = b'\x89PNG\r\n\x1a\n'


def truncation_reason(data: bytes) -> Optional[str]:
    """Why ``data`` (a file's bytes) is empty or truncated, or ``None``.

    Decoders differ on truncated files: OpenCV 4.x decodes a truncated JPEG
    with only a "Premature end of JPEG file" warning and grey rows, OpenCV 5
    returns ``None``, Pillow raises unless ``LOAD_TRUNCATED_IMAGES``. So a
    truncation is found here from the bytes, independently of the decoder:
    a JPEG must have its end-of-image marker (``FF D9``) after the start of
    its last scan (``FF DA``) -- ``FF`` bytes inside the compressed data
    are always followed by ``00`` or a restart marker, so neither marker can
    occur there; a PNG must contain its ``IEND`` chunk. Other formats are
    left to the decoder. Cost: two reverse byte searches (microseconds).
    """
    if len(data) == 0:
        return 'empty file (0 bytes)'
    if data.startswith(_JPEG_SOI):
        last_scan = data.rfind(_JPEG_SOS)
        if last_scan < 0:
            return (f'truncated JPEG: {len(data)} bytes and no image data '
                    '(no start-of-scan marker)')
        if data.find(_JPEG_EOI, last_scan + 2) < 0:
            return (f'truncated JPEG: {len(data)} bytes and no end-of-image '
                    'marker after the last scan')
    elif data.startswith(_PNG_SIGNATURE) and data.rfind(b'IEND') < 0:
        return f'truncated PNG: {len(data)} bytes and no IEND chunk'
    return None


def load_image_file(path: str,
                    color_type: str = 'color',
                    imdecode_backend: str = 'cv2',
                    backend_args: Optional[dict] = None) -> np.ndarray:
    """Read and decode one image; :class:`CorruptImageError` names the path
    and the reason if the file is missing, unreadable, empty, truncated
    (:func:`truncation_reason`) or cannot be decoded.

    Arguments as :class:`mmcv.transforms.LoadImageFromFile`'s.
    """
    try:
        data = fileio.get(path, backend_args=backend_args)
    except Exception as err:
        raise CorruptImageError(
            path, f'missing or unreadable ({type(err).__name__}: '
            f'{err})') from err
    reason = truncation_reason(data)
    if reason is not None:
        raise CorruptImageError(path, reason)
    try:
        img = mmcv.imfrombytes(data, flag=color_type, backend=imdecode_backend)
    except Exception as err:
        first = str(err).strip().splitlines()[0] if str(err).strip() else ''
        raise CorruptImageError(
            path, f'cannot be decoded by {imdecode_backend} '
            f'({type(err).__name__}: {first})') from err
    if img is None or getattr(img, 'size', 0) == 0:
        raise CorruptImageError(
            path, f'cannot be decoded by {imdecode_backend} ({len(data)} '
            'bytes; not an image, or a corrupt one)')
    return img


def image_paths(dataset: Any) -> List[Tuple[int, str]]:
    """``(index, img_path)`` of every sample that is read from a file
    (none for datasets that keep their images in memory, e.g. CIFAR)."""
    out = []
    for i, info in enumerate(_data_infos(dataset)):
        path = info.get('img_path')
        if path is not None:
            out.append((i, str(path)))
    return out
