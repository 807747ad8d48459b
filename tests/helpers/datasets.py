"""Tiny datasets in the real on-disk formats, generated for tests.

Nothing can be downloaded on the test machines, so tests write a handful of
images in exactly the layout the real datasets have and read them through
the real dataset classes (mmpretrain's ``ImageNet`` / ``CIFAR100`` and our
``TinyImageNet``).
"""
import pickle
from pathlib import Path
from typing import Optional, Sequence

import numpy as np
from PIL import Image

__all__ = [
    'make_imagenet', 'make_cifar100', 'make_tiny_imagenet', 'wnid',
    'CIFAR100_FILES', 'set_cifar_label', 'set_list_label', 'corrupt_image'
]

#: files of the official ``cifar-100-python`` folder
CIFAR100_FILES = ('train', 'test', 'meta')


def wnid(index: int) -> str:
    """A WordNet-id-like folder name for class ``index``."""
    return f'n{index:08d}'


def _write_image(path: Path, rng: np.random.Generator, size: int,
                 label: int) -> None:
    # a class-dependent mean makes the classes (weakly) learnable
    img = rng.integers(0, 256, size=(size, size, 3), dtype=np.uint8)
    img[..., label % 3] = (img[..., label % 3] // 2 + 128).astype(np.uint8)
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(img).save(path, format='JPEG')


def make_imagenet(root: Path,
                  num_classes: int = 4,
                  per_class: int = 2,
                  val_per_class: int = 1,
                  size: int = 32,
                  seed: int = 0) -> Path:
    """ImageNet-1K layout: ``train/<wnid>/*.JPEG``, ``val/*.JPEG`` and the
    ``meta/train.txt`` / ``meta/val.txt`` lists (``relative/path label``)
    that mmpretrain's ``ImageNet`` reads.

    Returns:
        Path: the data root to pass as ``data_root``.
    """
    root = Path(root)
    rng = np.random.default_rng(seed)
    train_lines, val_lines = [], []
    for c in range(num_classes):
        for i in range(per_class):
            rel = f'{wnid(c)}/{wnid(c)}_{i}.JPEG'
            _write_image(root / 'train' / rel, rng, size, c)
            train_lines.append(f'{rel} {c}')
        for i in range(val_per_class):
            rel = f'ILSVRC2012_val_{c * val_per_class + i:08d}.JPEG'
            _write_image(root / 'val' / rel, rng, size, c)
            val_lines.append(f'{rel} {c}')
    (root / 'meta').mkdir(parents=True, exist_ok=True)
    (root / 'meta' / 'train.txt').write_text('\n'.join(train_lines) + '\n')
    (root / 'meta' / 'val.txt').write_text('\n'.join(val_lines) + '\n')
    return root


def make_cifar100(root: Path,
                  num_train: int = 8,
                  num_test: int = 4,
                  seed: int = 0,
                  labels: Optional[Sequence[int]] = None) -> Path:
    """CIFAR-100 python version: ``cifar-100-python/{train,test,meta}``
    pickles with ``data`` (uint8 ``[N, 3072]``, channel-major) and
    ``fine_labels``, and ``fine_label_names`` in ``meta``.

    mmpretrain's ``CIFAR100`` also checks the official files' md5 sums,
    which generated files cannot match: in-process tests disable only that
    check with the :func:`tests.helpers.training.no_cifar_md5` fixture.

    Returns:
        Path: the data root to pass as ``data_root``.
    """
    root = Path(root)
    folder = root / 'cifar-100-python'
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    for name, count in (('train', num_train), ('test', num_test)):
        ys = list(labels[:count]) if labels is not None else \
            [int(v) for v in rng.integers(0, 100, size=count)]
        data = rng.integers(0, 256, size=(count, 3 * 32 * 32), dtype=np.uint8)
        entry = {
            'filenames': [f'{name}_{i}.png' for i in range(count)],
            'batch_label': f'generated {name}',
            'fine_labels': ys,
            'coarse_labels': [y // 5 for y in ys],
            'data': data,
        }
        with open(folder / name, 'wb') as f:
            pickle.dump(entry, f)
    meta = {
        'fine_label_names': [f'class_{i}' for i in range(100)],
        'coarse_label_names': [f'super_{i}' for i in range(20)],
    }
    with open(folder / 'meta', 'wb') as f:
        pickle.dump(meta, f)
    return root


def make_tiny_imagenet(root: Path,
                       num_classes: int = 4,
                       per_class: int = 2,
                       val_per_class: int = 1,
                       num_test: int = 2,
                       size: int = 64,
                       seed: int = 0) -> Path:
    """Tiny-ImageNet-200 layout as extracted from the official archive:
    ``wnids.txt``, ``words.txt``, ``train/<wnid>/images/<wnid>_<i>.JPEG``
    (with ``<wnid>_boxes.txt``), ``val/images/val_<i>.JPEG`` with
    ``val/val_annotations.txt`` and ``test/images/test_<i>.JPEG``.

    ``wnids.txt`` is written in a shuffled order, as in the real archive
    (class indices follow the sorted wnids).

    Returns:
        Path: the data root to pass as ``data_root``.
    """
    root = Path(root)
    rng = np.random.default_rng(seed)
    ids = [wnid(c) for c in range(num_classes)]
    shuffled = list(ids)
    rng.shuffle(shuffled)
    root.mkdir(parents=True, exist_ok=True)
    (root / 'wnids.txt').write_text('\n'.join(shuffled) + '\n')
    (root /
     'words.txt').write_text(''.join(f'{w}\tthing number {c}, item {c}\n'
                                     for c, w in enumerate(ids)) +
                             'n99999999\tunused\n')
    for c, w in enumerate(ids):
        boxes = []
        for i in range(per_class):
            name = f'{w}_{i}.JPEG'
            _write_image(root / 'train' / w / 'images' / name, rng, size, c)
            boxes.append(f'{name}\t0\t0\t{size - 1}\t{size - 1}')
        (root / 'train' / w / f'{w}_boxes.txt').write_text('\n'.join(boxes) +
                                                           '\n')
    lines, k = [], 0
    for c, w in enumerate(ids):
        for _ in range(val_per_class):
            name = f'val_{k}.JPEG'
            _write_image(root / 'val' / 'images' / name, rng, size, c)
            lines.append(f'{name}\t{w}\t0\t0\t{size - 1}\t{size - 1}')
            k += 1
    (root / 'val' / 'val_annotations.txt').write_text('\n'.join(lines) + '\n')
    for i in range(num_test):
        _write_image(root / 'test' / 'images' / f'test_{i}.JPEG', rng, size, 0)
    return root


# The users' mistakes, made in the real on-disk formats.


def set_cifar_label(root: Path, split: str, index: int, label: int) -> None:
    """Write ``label`` as sample ``index``'s fine label into the
    ``cifar-100-python/<split>`` pickle (``split``: 'train' or 'test')."""
    path = Path(root) / 'cifar-100-python' / split
    with open(path, 'rb') as f:
        entry = pickle.load(f)
    entry['fine_labels'][index] = label
    with open(path, 'wb') as f:
        pickle.dump(entry, f)


def set_list_label(list_file: Path, line: int, label: int) -> str:
    """Replace the label on 1-based ``line`` of an ImageNet-style list
    (``relative/path label``, e.g. ``meta/train.txt``); returns the new
    line."""
    list_file = Path(list_file)
    lines = list_file.read_text().splitlines()
    lines[line - 1] = f'{lines[line - 1].rsplit(" ", 1)[0]} {label}'
    list_file.write_text('\n'.join(lines) + '\n')
    return lines[line - 1]


def corrupt_image(path: Path, how: str) -> Path:
    """Damage an image file: ``'empty'`` (0 bytes), ``'truncated'`` (the
    first half of its bytes, as an interrupted copy leaves it),
    ``'no_eoi'`` (only its last 2 bytes, the JPEG end-of-image marker,
    missing) or ``'text'`` (not an image)."""
    path = Path(path)
    data = path.read_bytes()
    if how == 'empty':
        path.write_bytes(b'')
    elif how == 'truncated':
        path.write_bytes(data[:len(data) // 2])
    elif how == 'no_eoi':
        path.write_bytes(data[:-2])
    elif how == 'text':
        path.write_text('<html>404 Not Found</html>')
    else:
        raise ValueError(f'unknown corruption {how!r}')
    return path
