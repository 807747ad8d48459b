"""Generated datasets are read by the real dataset classes."""
import pytest

import mmkd_logits  # noqa: F401
from mmkd_logits.datasets import TinyImageNet
from tests.helpers.datasets import (make_cifar100, make_imagenet,
                                    make_tiny_imagenet, wnid)
from tests.helpers.training import no_cifar_md5


def test_imagenet_folder_layout_reads_with_mmpretrain(tmp_path):
    from mmpretrain.datasets import ImageNet
    root = make_imagenet(tmp_path, num_classes=3, per_class=2)
    train = ImageNet(data_root=str(root), split='train')
    val = ImageNet(data_root=str(root), split='val')
    assert len(train) == 6 and len(val) == 3
    assert sorted(train.get_gt_labels().tolist()) == [0, 0, 1, 1, 2, 2]
    assert train[0]['img_path'].endswith('.JPEG')


def test_cifar100_pickles_read_with_mmpretrain(tmp_path):
    from mmpretrain.datasets import CIFAR100
    root = make_cifar100(
        tmp_path, num_train=5, num_test=3, labels=[7, 99, 0, 3, 3])
    with pytest.raises(RuntimeError):  # the real md5 check is active
        CIFAR100(data_root=str(root), split='train', download=False)
    with no_cifar_md5():
        train = CIFAR100(data_root=str(root), split='train', download=False)
        test = CIFAR100(data_root=str(root), split='test', download=False)
    assert len(train) == 5 and len(test) == 3
    assert train.get_gt_labels().tolist() == [7, 99, 0, 3, 3]
    assert train[0]['img'].shape == (32, 32, 3)
    assert len(train.metainfo['classes']) == 100


def test_tiny_imagenet_official_layout(tmp_path):
    root = make_tiny_imagenet(
        tmp_path, num_classes=4, per_class=3, val_per_class=2, num_test=2)
    train = TinyImageNet(str(root), split='train')
    val = TinyImageNet(str(root), split='val')
    test = TinyImageNet(str(root), split='test')
    assert len(train) == 12 and len(val) == 8 and len(test) == 2
    # class index = position of the wnid in sorted order, whatever the
    # order of wnids.txt
    for item in (train.get_data_info(i) for i in range(len(train))):
        folder = item['img_path'].split('/')[-3]
        assert folder == wnid(item['gt_label'])
    assert val.get_gt_labels().tolist() == [0, 0, 1, 1, 2, 2, 3, 3]
    assert train.metainfo['classes'][0] == 'thing number 0'
    assert 'gt_label' not in test.get_data_info(0)


def test_tiny_imagenet_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match='does not exist'):
        TinyImageNet(str(tmp_path / 'missing'))
    root = make_tiny_imagenet(tmp_path / 'ok')
    with pytest.raises(ValueError, match='split'):
        TinyImageNet(str(root), split='trainval')
    ann = root / 'val' / 'val_annotations.txt'
    ann.write_text(ann.read_text() + 'val_x.JPEG\tn12345678\t0\t0\t1\t1\n')
    with pytest.raises(ValueError, match='unknown class'):
        TinyImageNet(str(root), split='val')


def test_tiny_imagenet_config_pipeline(tmp_path):
    from mmengine.config import Config
    from mmpretrain.registry import DATASETS

    from tests.helpers.training import CONFIGS
    root = make_tiny_imagenet(tmp_path)
    cfg = Config.fromfile(
        str(CONFIGS / '_base_/datasets/tiny_imagenet_bs64.py'))
    ds_cfg = cfg.train_dataloader.dataset
    ds_cfg.data_root = str(root)
    ds = DATASETS.build(ds_cfg)
    sample = ds[0]
    assert tuple(sample['inputs'].shape) == (3, 64, 64)
    assert sample['data_samples'].gt_label.item() in range(4)
