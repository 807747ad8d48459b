"""Tiny-ImageNet-200 in its official on-disk layout."""
import os.path as osp
from typing import Dict, List, Optional

from mmpretrain.datasets import BaseDataset
from mmpretrain.registry import DATASETS


@DATASETS.register_module()
class TinyImageNet(BaseDataset):
    """Tiny-ImageNet-200 (Le & Yang, 2015): 200 classes of 64×64 images.

    Reads the archive ``tiny-imagenet-200.zip`` exactly as extracted::

        data_root/
            wnids.txt                    # the 200 class wnids
            words.txt                    # wnid → readable names (optional)
            train/<wnid>/images/<wnid>_<i>.JPEG
            val/images/val_<i>.JPEG
            val/val_annotations.txt      # file \\t wnid \\t x0 y0 x1 y1
            test/images/test_<i>.JPEG    # no labels

    Class index ``k`` is the ``k``-th wnid in sorted order — the order of
    ``torchvision.datasets.ImageFolder`` on ``train/``, which the
    distillation literature's Tiny-ImageNet loaders use — so teachers trained
    with those loaders keep their class order.

    Args:
        data_root (str): the extracted ``tiny-imagenet-200`` folder.
        split (str): ``'train'``, ``'val'`` or ``'test'`` (unlabelled).
        metainfo (dict, optional): overrides, e.g. ``classes``.
        **kwargs: passed to :class:`mmpretrain.datasets.BaseDataset`
            (``pipeline``, ``test_mode``, ``lazy_init``, ...).
    """

    IMG_EXTENSIONS = ('.jpeg', '.jpg', '.png')
    SPLITS = ('train', 'val', 'test')

    def __init__(self,
                 data_root: str,
                 split: str = 'train',
                 metainfo: Optional[dict] = None,
                 **kwargs) -> None:
        if split not in self.SPLITS:
            raise ValueError(f'TinyImageNet split must be one of '
                             f'{self.SPLITS}, got {split!r}')
        if not osp.isdir(data_root):
            raise FileNotFoundError(
                f'TinyImageNet data_root {data_root!r} does not exist; '
                'extract tiny-imagenet-200.zip and point data_root at the '
                'tiny-imagenet-200 folder')
        self.split = split
        self._wnids = self._read_wnids(data_root)
        kwargs.setdefault('test_mode', split != 'train')
        metainfo = dict(metainfo or {})
        metainfo.setdefault('classes', self._class_names(data_root))
        super().__init__(
            ann_file='', data_root=data_root, metainfo=metainfo, **kwargs)

    @staticmethod
    def _read_wnids(data_root: str) -> List[str]:
        path = osp.join(data_root, 'wnids.txt')
        if not osp.isfile(path):
            raise FileNotFoundError(f'TinyImageNet: {path} is missing')
        with open(path) as f:
            wnids = sorted({line.strip() for line in f if line.strip()})
        if not wnids:
            raise ValueError(f'TinyImageNet: {path} lists no classes')
        return wnids

    def _class_names(self, data_root: str) -> List[str]:
        words: Dict[str, str] = {}
        path = osp.join(data_root, 'words.txt')
        if osp.isfile(path):
            with open(path) as f:
                for line in f:
                    key, _, name = line.rstrip('\n').partition('\t')
                    words[key] = name.split(',')[0].strip() or key
        return [words.get(w, w) for w in self._wnids]

    def load_data_list(self) -> List[dict]:
        """Collect ``img_path`` / ``gt_label`` for the chosen split."""
        root = self.data_root
        index = {w: i for i, w in enumerate(self._wnids)}
        data_list = []
        if self.split == 'train':
            for w in self._wnids:
                folder = osp.join(root, 'train', w, 'images')
                if not osp.isdir(folder):
                    raise FileNotFoundError(
                        f'TinyImageNet: class folder {folder} is missing')
                for name in sorted(self._images(folder)):
                    data_list.append(
                        dict(
                            img_path=osp.join(folder, name),
                            gt_label=index[w]))
        elif self.split == 'val':
            ann = osp.join(root, 'val', 'val_annotations.txt')
            if not osp.isfile(ann):
                raise FileNotFoundError(f'TinyImageNet: {ann} is missing')
            with open(ann) as f:
                for lineno, line in enumerate(f, 1):
                    if not line.strip():
                        continue
                    parts = line.rstrip('\n').split('\t')
                    if len(parts) < 2 or parts[1] not in index:
                        raise ValueError(
                            f'TinyImageNet: {ann}:{lineno} names an unknown '
                            f'class: {line.strip()!r}')
                    data_list.append(
                        dict(
                            img_path=osp.join(root, 'val', 'images', parts[0]),
                            gt_label=index[parts[1]]))
        else:
            folder = osp.join(root, 'test', 'images')
            for name in sorted(self._images(folder)):
                data_list.append(dict(img_path=osp.join(folder, name)))
        return data_list

    def _images(self, folder: str) -> List[str]:
        import os
        return [
            n for n in os.listdir(folder)
            if osp.splitext(n)[1].lower() in self.IMG_EXTENSIONS
        ]

    def extra_repr(self) -> List[str]:
        return [
            f'Root of dataset: \t{self.data_root}', f'Split: \t{self.split}'
        ]
