"""mmkd_logits.datasets.checks: labels out of range are reported with the
file they came from (CIFAR pickle, annotation file and line, image path) and
the sample index; image files are checked from their bytes and decoded."""
import io
import re

import numpy as np
import pytest
from PIL import Image, ImageFile

import mmkd_logits  # noqa: F401
from mmkd_logits.datasets import CorruptImageError, DatasetError, check_labels
from mmkd_logits.datasets.checks import (dataset_labels, load_image_file,
                                         truncation_reason, unwrap_datasets)
from tests.helpers.datasets import (corrupt_image, make_cifar100,
                                    make_imagenet, make_tiny_imagenet,
                                    set_cifar_label, set_list_label)
from tests.helpers.training import no_cifar_md5


def _cifar(root, split, **kwargs):
    from mmpretrain.datasets import CIFAR100
    with no_cifar_md5():
        return CIFAR100(
            data_root=str(root), split=split, download=False, **kwargs)


@pytest.fixture
def cifar_root(tmp_path):
    return make_cifar100(tmp_path, num_train=8, num_test=6)


# --------------------------------------------------------------------------
# labels


@pytest.mark.parametrize('split,index', [('train', 5), ('test', 2)])
def test_cifar100_pickle_label_150(cifar_root, split, index):
    set_cifar_label(cifar_root, split, index, 150)
    dataset = _cifar(cifar_root, split)
    with pytest.raises(DatasetError, match='out of range') as err:
        check_labels(dataset, 100, what='train dataset')
    msg = str(err.value)
    pickle_file = cifar_root / 'cifar-100-python' / split
    assert f'sample {index}: label 150 ({pickle_file}, sample {index} of ' \
           'that file)' in msg
    assert '1 of' in msg and '[0, 99]' in msg and 'CIFAR100' in msg
    assert isinstance(err.value, ValueError)


def test_cifar_subset_names_the_position_in_the_file(cifar_root):
    """With mmengine's ``indices`` the dataset index differs from the
    position in the pickle; both are named."""
    set_cifar_label(cifar_root, 'train', 6, -1)
    dataset = _cifar(cifar_root, 'train', indices=[1, 6, 3])
    with pytest.raises(DatasetError) as err:
        check_labels(dataset, 100)
    assert re.search(
        r'sample 1: label -1 \(.*cifar-100-python/train, '
        r'sample 6 of that file\)', str(err.value))


def test_imagenet_bad_line_in_meta_train_txt(tmp_path):
    from mmpretrain.datasets import ImageNet
    root = make_imagenet(tmp_path, num_classes=4, per_class=2)
    line = set_list_label(root / 'meta' / 'train.txt', 3, 1000)
    dataset = ImageNet(data_root=str(root), split='train')
    with pytest.raises(DatasetError, match='out of range') as err:
        check_labels(dataset, 1000)
    msg = str(err.value)
    assert f"{root / 'meta' / 'train.txt'}:3: {line!r}" in msg
    assert 'sample 2: label 1000' in msg and '[0, 999]' in msg


def test_many_bad_labels_lists_the_first_few_and_counts_all(tmp_path):
    from mmpretrain.datasets import ImageNet
    root = make_imagenet(tmp_path, num_classes=4, per_class=3)
    for line in range(2, 11):  # 9 bad lines
        set_list_label(root / 'meta' / 'train.txt', line, 7)
    dataset = ImageNet(data_root=str(root), split='train')
    with pytest.raises(DatasetError) as err:
        check_labels(dataset, 4, max_listed=3)
    msg = str(err.value)
    assert '9 of 12 labels out of range [0, 3]' in msg
    assert ':2: ' in msg and ':4: ' in msg and ':5: ' not in msg
    assert '... and 6 more' in msg


def test_folder_dataset_names_the_image(tmp_path):
    """Labels from class folders: more folders than the head's classes."""
    from mmpretrain.datasets import CustomDataset
    root = make_imagenet(tmp_path, num_classes=3, per_class=1)
    dataset = CustomDataset(data_root=str(root), data_prefix='train')
    with pytest.raises(DatasetError) as err:
        check_labels(dataset, 2)
    assert 'sample 2: label 2 (' in str(err.value)
    assert str(root / 'train' / 'n00000002' / 'n00000002_0.JPEG') in str(
        err.value)


def test_tiny_imagenet_val_names_the_image(tmp_path):
    from mmkd_logits.datasets import TinyImageNet
    root = make_tiny_imagenet(tmp_path, num_classes=4, val_per_class=1)
    val = TinyImageNet(str(root), split='val')
    with pytest.raises(DatasetError, match='TinyImageNet') as err:
        check_labels(val, 3)
    assert str(root / 'val' / 'images' / 'val_3.JPEG') in str(err.value)


def test_wrappers_are_unwrapped(cifar_root):
    from mmengine.dataset import (ClassBalancedDataset, ConcatDataset,
                                  RepeatDataset)
    good = _cifar(cifar_root, 'test')
    set_cifar_label(cifar_root, 'train', 0, 100)
    bad = _cifar(cifar_root, 'train')
    assert unwrap_datasets(ConcatDataset([good, bad])) == [good, bad]
    for wrapped in (ConcatDataset([good, bad]), RepeatDataset(bad, 2),
                    ClassBalancedDataset(bad, oversample_thr=0.5)):
        with pytest.raises(DatasetError, match='sample 0: label 100'):
            check_labels(wrapped, 100)


def test_good_datasets_return_the_number_checked(cifar_root, tmp_path):
    from mmkd_logits.datasets import TinyImageNet
    train = _cifar(cifar_root, 'train')
    assert check_labels(train, 100) == 8
    assert dataset_labels(train).tolist() == [
        int(v) for v in train.get_gt_labels()
    ]
    root = make_tiny_imagenet(tmp_path / 'tiny', num_test=2)
    assert check_labels(TinyImageNet(str(root), split='test'), 4) == 0


def test_labels_of_unserialized_and_lazy_datasets(tmp_path):
    from mmpretrain.datasets import ImageNet
    root = make_imagenet(tmp_path, num_classes=3, per_class=2)
    set_list_label(root / 'meta' / 'train.txt', 6, 3)
    for kwargs in (dict(serialize_data=False), dict(lazy_init=True)):
        dataset = ImageNet(data_root=str(root), split='train', **kwargs)
        assert dataset_labels(dataset).tolist() == [0, 0, 1, 1, 2, 3]
        with pytest.raises(DatasetError, match='train.txt:6:'):
            check_labels(dataset, 3)


# --------------------------------------------------------------------------
# images


def _jpeg(size=48, **save_kwargs) -> bytes:
    rng = np.random.default_rng(0)
    img = rng.integers(0, 256, (size, size, 3), dtype=np.uint8)
    buf = io.BytesIO()
    Image.fromarray(img).save(buf, format='JPEG', **save_kwargs)
    return buf.getvalue()


@pytest.fixture
def jpeg(tmp_path):
    path = tmp_path / 'img.JPEG'
    path.write_bytes(_jpeg())
    return path


@pytest.mark.parametrize('how,phrase', [
    ('empty', 'empty file (0 bytes)'),
    ('truncated', 'truncated JPEG'),
    ('no_eoi', 'truncated JPEG'),
    ('text', 'cannot be decoded by cv2'),
])
def test_corrupt_jpeg_names_path_and_reason(jpeg, how, phrase):
    corrupt_image(jpeg, how)
    with pytest.raises(CorruptImageError, match=re.escape(phrase)) as err:
        load_image_file(str(jpeg))
    assert str(jpeg) in str(err.value)
    assert err.value.path == str(jpeg)


def test_missing_file(tmp_path):
    with pytest.raises(CorruptImageError, match='missing or unreadable'):
        load_image_file(str(tmp_path / 'absent.JPEG'))


def test_truncation_found_even_where_the_decoder_accepts_it(jpeg, monkeypatch):
    """Pillow with LOAD_TRUNCATED_IMAGES (like OpenCV 4.x) decodes a
    truncated JPEG without error; the byte check still refuses it."""
    import mmcv
    corrupt_image(jpeg, 'no_eoi')
    monkeypatch.setattr(ImageFile, 'LOAD_TRUNCATED_IMAGES', True)
    assert mmcv.imfrombytes(jpeg.read_bytes(), backend='pillow') is not None
    with pytest.raises(CorruptImageError, match='truncated JPEG'):
        load_image_file(str(jpeg), imdecode_backend='pillow')


def test_valid_variants_are_not_flagged(tmp_path):
    """Progressive JPEGs, trailing bytes after the end-of-image marker and
    PNGs are fine; a PNG without its IEND chunk is truncated."""
    import mmcv
    assert truncation_reason(_jpeg(progressive=True)) is None
    assert truncation_reason(_jpeg() + b'\x00' * 64) is None
    buf = io.BytesIO()
    Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(buf, format='PNG')
    png = buf.getvalue()
    assert truncation_reason(png) is None
    assert 'truncated PNG' in truncation_reason(png[:-12])
    path = tmp_path / 'ok.JPEG'
    path.write_bytes(_jpeg() + b'\x00' * 64)
    np.testing.assert_array_equal(
        load_image_file(str(path)), mmcv.imfrombytes(path.read_bytes()))
