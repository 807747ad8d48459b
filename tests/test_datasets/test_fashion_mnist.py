"""LocalFashionMNIST on idx files written here in the original format
(gzipped as published, or extracted), and the demo configs' pipeline."""
import gzip
from pathlib import Path

import numpy as np
import pytest

import mmkd_logits  # noqa: F401
from mmkd_logits.datasets import DatasetError, LocalFashionMNIST

REPO = Path(__file__).resolve().parents[2]
STEMS = ('train-images-idx3-ubyte', 'train-labels-idx1-ubyte',
         't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte')


def idx_bytes(array: np.ndarray) -> bytes:
    """The idx format: magic 0x0000 08 <ndim>, the sizes (big-endian
    int32), then the unsigned bytes."""
    head = bytes([0, 0, 8, array.ndim])
    sizes = b''.join(int(s).to_bytes(4, 'big') for s in array.shape)
    return head + sizes + array.astype(np.uint8).tobytes()


def write_fashion_mnist(root: Path,
                        train_labels,
                        test_labels,
                        gz: bool = True,
                        size: int = 28):
    """The four files; image k of a split is filled with k % 251 + 1 (its
    top-left pixel) so that samples can be told apart."""
    root.mkdir(parents=True, exist_ok=True)
    arrays = {}
    for prefix, labels in (('train', train_labels), ('t10k', test_labels)):
        labels = np.asarray(labels, np.uint8)
        images = np.zeros((len(labels), size, size), np.uint8)
        images[:, 0, 0] = np.arange(len(labels)) % 251 + 1
        images[:, size // 2, :] = 255  # a white bar
        arrays[f'{prefix}-images-idx3-ubyte'] = images
        arrays[f'{prefix}-labels-idx1-ubyte'] = labels
    for stem, array in arrays.items():
        data = idx_bytes(array)
        if gz:
            with gzip.open(root / (stem + '.gz'), 'wb') as f:
                f.write(data)
        else:
            (root / stem).write_bytes(data)
    return arrays


TRAIN = [9, 0, 0, 3, 9, 1, 2, 3, 4, 5, 6, 7, 8, 0, 1]
TEST = [1, 0, 2, 3, 4, 5, 6, 7, 8, 9, 2]


@pytest.mark.parametrize('gz', [True, False])
def test_reads_the_original_files(tmp_path, gz):
    arrays = write_fashion_mnist(tmp_path, TRAIN, TEST, gz=gz)
    train = LocalFashionMNIST(str(tmp_path), split='train')
    test = LocalFashionMNIST(str(tmp_path), split='test')
    assert len(train) == len(TRAIN) and len(test) == len(TEST)
    assert train.get_gt_labels().tolist() == TRAIN
    assert test.get_gt_labels().tolist() == TEST
    assert not train.test_mode and test.test_mode
    for k in (0, 7, len(TEST) - 1):
        info = test.get_data_info(k)
        assert np.array_equal(info['img'], arrays['t10k-images-idx3-ubyte'][k])
        assert info['img'].shape == (28, 28) and info['img'].dtype == np.uint8
    assert train.metainfo['classes'][0] == 'T-shirt/top'
    assert len(train.metainfo['classes']) == 10
    suffix = '.gz' if gz else ''
    assert train.files == (str(tmp_path / f'train-images-idx3-ubyte{suffix}'),
                           str(tmp_path / f'train-labels-idx1-ubyte{suffix}'))


def test_split_not_test_mode_picks_the_files(tmp_path):
    # mmpretrain's MNIST picks the files by test_mode; here the split does
    write_fashion_mnist(tmp_path, TRAIN, TEST)
    test = LocalFashionMNIST(str(tmp_path), split='test', test_mode=False)
    assert test.get_gt_labels().tolist() == TEST


def test_per_class_keeps_the_first_samples_of_every_class(tmp_path):
    write_fashion_mnist(tmp_path, TRAIN, TEST)
    train = LocalFashionMNIST(str(tmp_path), split='train', per_class=1)
    # first index of each class in TRAIN, in file order
    first = sorted({
        label: i
        for i, label in reversed(list(enumerate(TRAIN)))
    }.values())
    assert first == [0, 1, 3, 5, 6, 8, 9, 10, 11, 12]
    assert train.get_gt_labels().tolist() == [TRAIN[i] for i in first]
    tops = [train.get_data_info(k)['img'][0, 0] for k in range(len(train))]
    assert tops == [i + 1 for i in first]


def test_per_class_larger_than_a_class_names_it(tmp_path):
    write_fashion_mnist(tmp_path, TRAIN, TEST)
    with pytest.raises(ValueError, match='class 1 has only 2 samples'):
        LocalFashionMNIST(str(tmp_path), split='train', per_class=3)


def test_missing_files_say_how_to_install_them(tmp_path):
    with pytest.raises(FileNotFoundError) as err:
        LocalFashionMNIST(str(tmp_path / 'nowhere'), split='test')
    assert 'apt-get install dataset-fashion-mnist' in str(err.value)
    assert 't10k-images-idx3-ubyte.gz' in str(err.value)
    write_fashion_mnist(tmp_path, TRAIN, TEST)
    (tmp_path / 'train-labels-idx1-ubyte.gz').unlink()
    with pytest.raises(FileNotFoundError, match='train-labels-idx1-ubyte'):
        LocalFashionMNIST(str(tmp_path), split='train')
    LocalFashionMNIST(str(tmp_path), split='test')  # its files are there


@pytest.mark.parametrize('kwargs, phrase', [
    (dict(split='val'), "split must be one of ('train', 'test'), got 'val'"),
    (dict(per_class=0), 'per_class must be a positive integer'),
    (dict(per_class=2.5), 'per_class must be a positive integer'),
])
def test_bad_arguments(tmp_path, kwargs, phrase):
    write_fashion_mnist(tmp_path, TRAIN, TEST)
    with pytest.raises(ValueError) as err:
        LocalFashionMNIST(str(tmp_path), **kwargs)
    assert phrase in str(err.value)


def _corrupt(root: Path, stem: str, data: bytes) -> None:
    with gzip.open(root / (stem + '.gz'), 'wb') as f:
        f.write(data)


def test_corrupt_files_are_named(tmp_path):
    arrays = write_fashion_mnist(tmp_path, TRAIN, TEST)
    images = idx_bytes(arrays['t10k-images-idx3-ubyte'])
    # truncated
    _corrupt(tmp_path, 't10k-images-idx3-ubyte', images[:-10])
    with pytest.raises(
            DatasetError,
            match=r't10k-images-idx3-ubyte\.gz: the '
            r'header announces \(11, 28, 28\)'):
        LocalFashionMNIST(str(tmp_path), split='test')
    # the labels file where the images belong
    _corrupt(tmp_path, 't10k-images-idx3-ubyte',
             idx_bytes(arrays['t10k-labels-idx1-ubyte']))
    with pytest.raises(
            DatasetError, match='not an idx file of 3-d unsigned '
            'bytes'):
        LocalFashionMNIST(str(tmp_path), split='test')
    # not gzip at all
    (tmp_path / 't10k-images-idx3-ubyte.gz').write_bytes(images)
    with pytest.raises(DatasetError, match='cannot be read'):
        LocalFashionMNIST(str(tmp_path), split='test')


def test_images_and_labels_must_agree(tmp_path):
    arrays = write_fashion_mnist(tmp_path, TRAIN, TEST)
    _corrupt(tmp_path, 't10k-labels-idx1-ubyte',
             idx_bytes(arrays['t10k-labels-idx1-ubyte'][:-1]))
    with pytest.raises(DatasetError, match='holds 11 images but .* 10 labels'):
        LocalFashionMNIST(str(tmp_path), split='test')
    _corrupt(tmp_path, 't10k-labels-idx1-ubyte',
             idx_bytes(np.array(TEST[:-1] + [10])))
    with pytest.raises(
            DatasetError,
            match=r'label 10 of that file is 10, '
            r'outside \[0, 10\)'):
        LocalFashionMNIST(str(tmp_path), split='test')


def test_demo_pipelines_give_the_zoo_input(tmp_path):
    """The configs' pipelines: 3x32x32, the 28x28 image centred in 2 px of
    black, the grey channel three times."""
    from mmengine.config import Config
    arrays = write_fashion_mnist(tmp_path, TRAIN, TEST)
    cfg = Config.fromfile(
        str(REPO / 'configs/fashion_mnist/_base_/fashion_mnist_bs64.py'))
    for loader in ('train_dataloader', 'val_dataloader'):
        ds_cfg = cfg[loader].dataset
        split = ds_cfg.split
        ds = LocalFashionMNIST(
            str(tmp_path), split=split, pipeline=ds_cfg.pipeline)
        prefix = 'train' if split == 'train' else 't10k'
        for k in range(3):
            inputs = ds[k]['inputs']
            assert tuple(inputs.shape) == (3, 32, 32), loader
            assert (inputs[0] == inputs[1]).all() and \
                (inputs[0] == inputs[2]).all()
            img = arrays[f'{prefix}-images-idx3-ubyte'][k]
            inner = inputs[0, 2:30, 2:30].numpy()
            flipped = np.array_equal(inner, img[:, ::-1])
            assert np.array_equal(
                inner, img) or (flipped
                                and loader == 'train_dataloader'), loader
            border = inputs[0].numpy().copy()
            border[2:30, 2:30] = 0
            assert not border.any(), loader
