"""Fashion-MNIST read from the original idx files on disk, never
downloaded."""
import gzip
import os.path as osp
from typing import List, Optional, Tuple

import numpy as np
from mmpretrain.datasets import BaseDataset
from mmpretrain.datasets.categories import FASHIONMNIST_CATEGORITES
from mmpretrain.registry import DATASETS

from .checks import DatasetError

__all__ = ['LocalFashionMNIST', 'DEBIAN_FASHION_MNIST', 'INSTALL_HINT']

#: where Debian's ``dataset-fashion-mnist`` package installs the files
DEBIAN_FASHION_MNIST = '/usr/share/datasets/fashion-mnist'
#: how to get the files (said by every "file not found" error)
INSTALL_HINT = ('install them with `apt-get install dataset-fashion-mnist` '
                f'(Debian/Ubuntu; puts them in {DEBIAN_FASHION_MNIST}) or '
                'put the four original files of '
                'github.com/zalandoresearch/fashion-mnist there')

# idx magic numbers: 0x0000 | type 0x08 (unsigned byte) | number of dims
_IMAGES_MAGIC = 0x00000803
_LABELS_MAGIC = 0x00000801


def _open(path: str):
    return gzip.open(path, 'rb') if path.endswith('.gz') else open(path, 'rb')


def read_idx(path: str, magic: int) -> np.ndarray:
    """An idx file (``.gz`` or not) of unsigned bytes as an array.

    Raises:
        DatasetError: unreadable gzip, wrong magic number, or fewer bytes
            than the header announces (the message names the file).
    """
    try:
        with _open(path) as f:
            data = f.read()
    except (OSError, EOFError) as err:  # BadGzipFile is an OSError
        raise DatasetError(f'{path}: cannot be read ({type(err).__name__}: '
                           f'{err})') from err
    ndim = magic & 0xFF
    header = 4 * (1 + ndim)
    if len(data) < header or int.from_bytes(data[:4], 'big') != magic:
        found = int.from_bytes(data[:4], 'big') if len(data) >= 4 else None
        raise DatasetError(
            f'{path}: not an idx file of {ndim}-d unsigned bytes (magic '
            f'{magic:#010x} expected, found '
            f'{"nothing" if found is None else hex(found)})')
    shape = tuple(
        int.from_bytes(data[4 * (i + 1):4 * (i + 2)], 'big')
        for i in range(ndim))
    size = int(np.prod(shape))
    if len(data) - header != size:
        raise DatasetError(
            f'{path}: the header announces {shape} = {size} bytes, the file '
            f'holds {len(data) - header} (truncated or corrupt)')
    return np.frombuffer(data, np.uint8, offset=header).reshape(shape)


@DATASETS.register_module()
class LocalFashionMNIST(BaseDataset):
    """Fashion-MNIST (Xiao et al., 2017): 10 classes of 28×28 grey images,
    60,000 for training and 10,000 for testing.

    Reads the four files of the original distribution, gzipped as published
    or extracted, from ``data_root``::

        data_root/
            train-images-idx3-ubyte.gz   (or train-images-idx3-ubyte)
            train-labels-idx1-ubyte.gz
            t10k-images-idx3-ubyte.gz
            t10k-labels-idx1-ubyte.gz

    which is what Debian's ``dataset-fashion-mnist`` package installs in
    ``/usr/share/datasets/fashion-mnist`` (the default ``data_root``).
    mmpretrain's own ``FashionMNIST`` needs the extracted files and
    downloads them when they are missing; this one uses the files where they
    are and never downloads. Samples are as mmpretrain's: ``img`` (a
    ``28×28`` ``uint8`` array, white object on black) and ``gt_label``; the
    classes are mmpretrain's ``FASHIONMNIST_CATEGORITES``.

    Args:
        data_root (str): the folder of the four files.
        split (str): ``'train'`` or ``'test'``.
        per_class (int, optional): keep the first ``per_class`` samples of
            every class, in file order (a class-balanced, deterministic
            subset); ``None`` keeps all.
        metainfo (dict, optional): overrides, e.g. ``classes``.
        **kwargs: passed to :class:`mmpretrain.datasets.BaseDataset`
            (``pipeline``, ``indices``, ``test_mode``, ...); ``test_mode``
            defaults to ``split == 'test'``.

    Raises:
        ValueError: an unknown ``split`` or a ``per_class`` that is not a
            positive integer.
        FileNotFoundError: a file is missing (the message says how to
            install it).
        DatasetError: a file is corrupt, or images and labels disagree
            (when the data are loaded).
    """

    METAINFO = {'classes': FASHIONMNIST_CATEGORITES}
    SPLITS = ('train', 'test')
    #: the file stems of each split: (images, labels)
    FILES = {
        'train': ('train-images-idx3-ubyte', 'train-labels-idx1-ubyte'),
        'test': ('t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'),
    }

    def __init__(self,
                 data_root: str = DEBIAN_FASHION_MNIST,
                 split: str = 'train',
                 per_class: Optional[int] = None,
                 metainfo: Optional[dict] = None,
                 **kwargs) -> None:
        if split not in self.SPLITS:
            raise ValueError(f'LocalFashionMNIST split must be one of '
                             f'{self.SPLITS}, got {split!r}')
        if per_class is not None and (isinstance(per_class, bool)
                                      or not isinstance(per_class, int)
                                      or per_class < 1):
            raise ValueError('LocalFashionMNIST per_class must be a positive '
                             f'integer or None, got {per_class!r}')
        self.split = split
        self.per_class = per_class
        # fail before anything is built if a file is missing
        self.files = self._find_files(data_root, split)
        kwargs.setdefault('test_mode', split == 'test')
        super().__init__(
            ann_file='', data_root=data_root, metainfo=metainfo, **kwargs)

    @classmethod
    def _find_files(cls, data_root: str, split: str) -> Tuple[str, str]:
        found = []
        for stem in cls.FILES[split]:
            candidates = [
                osp.join(data_root, stem + '.gz'),
                osp.join(data_root, stem)
            ]
            path = next((p for p in candidates if osp.isfile(p)), None)
            if path is None:
                raise FileNotFoundError(
                    f'Fashion-MNIST: neither {candidates[0]} nor '
                    f'{candidates[1]} exists; {INSTALL_HINT} (or point '
                    'data_root at the folder that holds them)')
            found.append(path)
        return found[0], found[1]

    def load_data_list(self) -> List[dict]:
        """Every sample of the split (or the class-balanced subset)."""
        images_path, labels_path = self.files
        images = read_idx(images_path, _IMAGES_MAGIC)
        labels = read_idx(labels_path, _LABELS_MAGIC)
        if len(images) != len(labels):
            raise DatasetError(
                f'Fashion-MNIST: {images_path} holds {len(images)} images '
                f'but {labels_path} {len(labels)} labels')
        num_classes = len(self.metainfo['classes'])
        if labels.size and labels.max() >= num_classes:
            index = int(np.argmax(labels >= num_classes))
            raise DatasetError(
                f'Fashion-MNIST: {labels_path}, label {index} of that file '
                f'is {int(labels[index])}, outside [0, {num_classes})')
        keep = np.arange(len(labels))
        if self.per_class is not None:
            keep = self._balanced(labels, self.per_class, labels_path)
        return [
            dict(img=images[i].copy(), gt_label=int(labels[i])) for i in keep
        ]

    @staticmethod
    def _balanced(labels: np.ndarray, per_class: int,
                  where: str) -> np.ndarray:
        """The first ``per_class`` indices of every class, in file order."""
        keep = []
        for c in np.unique(labels):
            idx = np.flatnonzero(labels == c)
            if len(idx) < per_class:
                raise ValueError(
                    f'Fashion-MNIST: per_class={per_class}, but class {c} '
                    f'has only {len(idx)} samples in {where}')
            keep.append(idx[:per_class])
        return np.sort(np.concatenate(keep))

    def extra_repr(self) -> List[str]:
        return [
            f'Images: \t{self.files[0]}', f'Labels: \t{self.files[1]}',
            f'Split: \t{self.split}', f'Per class: \t{self.per_class or "all"}'
        ]
