"""CheckedLoadImageFromFile: a corrupt image raises naming its path, or with
``on_error='skip'`` is skipped with a counted warning and mmengine's
training dataset draws another sample; the dataset configs use it."""
import logging

import numpy as np
import pytest

import mmkd_logits  # noqa: F401
from mmkd_logits.datasets import CheckedLoadImageFromFile, CorruptImageError
from tests.helpers.datasets import corrupt_image, make_imagenet
from tests.helpers.training import CONFIGS

BAD = 'train/n00000001/n00000001_0.JPEG'


@pytest.fixture
def root(tmp_path):
    return make_imagenet(tmp_path, num_classes=3, per_class=2)


@pytest.fixture
def warnings_log():
    """WARNING records of mmengine's current logger."""
    from mmengine.logging import MMLogger
    records = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = records.append
    logger = MMLogger.get_current_instance()
    logger.addHandler(handler)
    yield records
    logger.removeHandler(handler)


def test_good_image_as_mmcv_loads_it(root):
    from mmcv.transforms import LoadImageFromFile
    path = str(root / BAD)
    ours = CheckedLoadImageFromFile()(dict(img_path=path))
    theirs = LoadImageFromFile()(dict(img_path=path))
    np.testing.assert_array_equal(ours['img'], theirs['img'])
    assert ours['img_shape'] == ours['ori_shape'] == (32, 32)
    floats = CheckedLoadImageFromFile(to_float32=True)(dict(img_path=path))
    assert floats['img'].dtype == np.float32


@pytest.mark.parametrize('how,phrase', [('empty', 'empty file'),
                                        ('truncated', 'truncated JPEG')])
def test_raise_names_the_path(root, how, phrase):
    path = corrupt_image(root / BAD, how)
    with pytest.raises(CorruptImageError, match=phrase) as err:
        CheckedLoadImageFromFile()(dict(img_path=str(path)))
    assert str(path) in str(err.value)


def test_skip_warns_with_path_and_running_count(root, warnings_log):
    first = corrupt_image(root / BAD, 'empty')
    second = corrupt_image(root / 'train/n00000002/n00000002_1.JPEG',
                           'truncated')
    load = CheckedLoadImageFromFile(on_error='skip')
    assert load(dict(img_path=str(first))) is None
    assert load(dict(img_path=str(second))) is None
    messages = [r.getMessage() for r in warnings_log]
    assert str(first) in messages[0] and '1 image(s) skipped' in messages[0]
    assert str(second) in messages[1] and '2 image(s) skipped' in \
        messages[1]
    assert load.skipped == 2


def test_skip_in_training_dataset_draws_another_sample(root, warnings_log):
    """mmengine's BaseDataset re-draws a random index when the pipeline
    returns None -- in training mode only; in test mode it raises."""
    from mmpretrain.datasets import ImageNet
    corrupt_image(root / BAD, 'empty')
    pipeline = [dict(type='CheckedLoadImageFromFile', on_error='skip')]
    train = ImageNet(data_root=str(root), split='train', pipeline=pipeline)
    bad_index = [
        i for i in range(len(train))
        if train.get_data_info(i)['img_path'].endswith(BAD)
    ]
    assert len(bad_index) == 1
    sample = train[bad_index[0]]
    assert not sample['img_path'].endswith(BAD)
    assert sample['img'].shape == (32, 32, 3)
    assert str(root / BAD) in warnings_log[0].getMessage()

    test_mode = ImageNet(
        data_root=str(root), split='train', pipeline=pipeline, test_mode=True)
    with pytest.raises(Exception, match='should not get `None`'):
        test_mode[bad_index[0]]


def test_bad_arguments():
    with pytest.raises(ValueError, match="on_error must be one of"):
        CheckedLoadImageFromFile(on_error='ignore')
    with pytest.raises(TypeError, match="on_error='skip' instead"):
        CheckedLoadImageFromFile(ignore_empty=True)


@pytest.mark.parametrize('base', ['imagenet_bs64.py', 'tiny_imagenet_bs64.py'])
def test_dataset_configs_load_with_the_checked_transform(base):
    from mmengine.config import Config
    cfg = Config.fromfile(str(CONFIGS / '_base_' / 'datasets' / base))
    for loader in (cfg.train_dataloader, cfg.val_dataloader):
        first = loader.dataset.pipeline[0]
        # a registered name or, in configs that import it, the class
        assert first['type'] in ('CheckedLoadImageFromFile',
                                 CheckedLoadImageFromFile)
        assert first.get('on_error', 'raise') == 'raise'


def test_imagenet_config_dataset_raises_with_path(root):
    """The real config's dataset (pipeline and all) on a zero-byte JPEG."""
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    from mmpretrain.registry import DATASETS
    cfg = Config.fromfile(
        str(CONFIGS / '_base_' / 'datasets' / 'imagenet_bs64.py'))
    ds_cfg = cfg.train_dataloader.dataset
    ds_cfg.data_root = str(root)
    init_default_scope('mmpretrain')
    dataset = DATASETS.build(ds_cfg)
    path = corrupt_image(root / BAD, 'empty')
    index = [
        dataset.get_data_info(i)['img_path'] for i in range(len(dataset))
    ].index(str(path))
    with pytest.raises(CorruptImageError, match='empty file') as err:
        dataset[index]
    assert str(path) in str(err.value)
