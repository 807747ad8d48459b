"""DatasetCheckHook: labels out of range in the train or val dataset stop a
run before its first iteration, naming the file and the sample."""
import logging
from types import SimpleNamespace

import pytest

import mmkd_logits  # noqa: F401
from mmkd_logits.datasets import CorruptImageError, DatasetError
from mmkd_logits.engine.hooks import DatasetCheckHook
from mmkd_logits.engine.hooks.dataset_check_hook import num_classes_of_model
from tests.helpers.datasets import (corrupt_image, make_cifar100,
                                    make_imagenet, set_cifar_label,
                                    set_list_label)
from tests.helpers.training import (CONFIGS, build_and_train,
                                    cifar_tiny_options, imagenet_tiny_options,
                                    no_cifar_md5)

pytestmark = pytest.mark.usefixtures('one_thread')


def _classifier(num_classes=5):
    return dict(
        type='mmpretrain.ImageClassifier',
        backbone=dict(type='mmpretrain.LeNet5'),
        head=dict(
            type='mmpretrain.LinearClsHead',
            num_classes=num_classes,
            in_channels=120))


def _imagenet(root, **kwargs):
    from mmpretrain.datasets import ImageNet
    return ImageNet(data_root=str(root), **kwargs)


class _Runner(SimpleNamespace):
    """What the hook reads from mmengine's Runner (loaders, loops, model,
    logger), around real datasets and models."""

    def __init__(self, model, train, val=None):
        logger = logging.getLogger('test_dataset_check_hook')
        logger.setLevel(logging.INFO)
        self.lines = []
        logger.info = self.lines.append
        super().__init__(
            model=model,
            logger=logger,
            train_dataloader=SimpleNamespace(dataset=train),
            val_loop=None if val is None else object(),
            val_dataloader=None if val is None else SimpleNamespace(
                dataset=val))


def test_num_classes_of_plain_distillation_and_preprocessor_models():
    from mmrazor.registry import MODELS
    assert num_classes_of_model(MODELS.build(_classifier(7))) == 7
    distill = MODELS.build(
        dict(
            type='mmrazor.SingleTeacherDistill',
            architecture=_classifier(5),
            teacher=_classifier(5),
            distiller=dict(type='mmrazor.ConfigurableDistiller')))
    assert num_classes_of_model(distill) == 5
    import torch
    bare = torch.nn.Linear(2, 2)
    assert num_classes_of_model(bare) is None
    bare.data_preprocessor = SimpleNamespace(num_classes=9)
    assert num_classes_of_model(bare) == 9


def test_train_label_out_of_range(tmp_path):
    from mmrazor.registry import MODELS
    root = make_imagenet(tmp_path, num_classes=4, per_class=2)
    set_list_label(root / 'meta' / 'train.txt', 2, 5)
    runner = _Runner(
        MODELS.build(_classifier(5)), _imagenet(root, split='train'))
    with pytest.raises(DatasetError, match='train dataset ImageNet') as err:
        DatasetCheckHook().before_train(runner)
    assert 'train.txt:2:' in str(err.value) and 'label 5' in str(err.value)


def test_val_label_found_before_training(tmp_path):
    from mmrazor.registry import MODELS
    root = make_imagenet(tmp_path, num_classes=4, per_class=2)
    set_list_label(root / 'meta' / 'val.txt', 4, -1)
    model = MODELS.build(_classifier(4))
    train, val = (_imagenet(root, split='train'), _imagenet(root, split='val'))
    with pytest.raises(DatasetError, match='val dataset') as err:
        DatasetCheckHook().before_train(_Runner(model, train, val))
    assert 'val.txt:4:' in str(err.value) and 'label -1' in str(err.value)
    # no validation in the run: the val dataset is not read
    runner = _Runner(model, train)
    DatasetCheckHook().before_train(runner)
    assert len(runner.lines) == 1
    assert runner.lines[0].startswith(
        'DatasetCheckHook: 8 train labels in [0, 3] (')


def test_model_without_num_classes_is_said_and_skipped(tmp_path):
    import torch
    root = make_imagenet(tmp_path, num_classes=4, per_class=1)
    set_list_label(root / 'meta' / 'train.txt', 1, 99)
    runner = _Runner(torch.nn.Linear(2, 2), _imagenet(root, split='train'))
    DatasetCheckHook().before_train(runner)
    assert len(runner.lines) == 1 and 'labels not checked' in runner.lines[0]


def test_skip_in_a_test_mode_pipeline_is_refused(tmp_path):
    from mmrazor.registry import MODELS
    root = make_imagenet(tmp_path, num_classes=2, per_class=1)
    skip = [dict(type='CheckedLoadImageFromFile', on_error='skip')]
    train = _imagenet(root, split='train', pipeline=skip)
    val = _imagenet(root, split='val', pipeline=skip, test_mode=True)
    with pytest.raises(
            DatasetError, match='cannot work in a test-mode dataset'):
        DatasetCheckHook().before_train(
            _Runner(MODELS.build(_classifier(2)), train, val))
    DatasetCheckHook().before_train(  # fine in a training dataset
        _Runner(MODELS.build(_classifier(2)), train))


def _with_hook(config: str):
    from mmengine.config import Config
    hooks = list(Config.fromfile(str(CONFIGS / config)).custom_hooks)
    names = [getattr(h['type'], '__name__', str(h['type'])) for h in hooks]
    assert any(n.endswith('DatasetCheckHook') for n in names), names
    return hooks


@pytest.mark.slow
@pytest.mark.parametrize('split', ['train', 'test'])
def test_training_stops_before_the_first_iteration(tmp_path, split):
    """CIFAR-100 pickle with a label 150: the run stops with the label error
    before any iteration (not IndexError from the loss mid-epoch, nor --
    for the test pickle -- after a whole epoch, at validation)."""
    config = 'kd_r56_r20_cifar100.py'
    data = make_cifar100(tmp_path / 'cifar', num_train=4, num_test=4)
    set_cifar_label(data, split, 3, 150)
    options = cifar_tiny_options(data, batch_size=2, max_epochs=1)
    options['custom_hooks'] = _with_hook(config)
    with no_cifar_md5(), pytest.raises(DatasetError) as err:
        build_and_train(config, tmp_path / 'work', options)
    pickle_file = data / 'cifar-100-python' / split
    assert f'label 150 ({pickle_file}, sample 3 of that file)' in str(
        err.value)
    logs = list((tmp_path / 'work').rglob('*.log'))
    assert logs and 'Epoch(train)' not in logs[0].read_text()


@pytest.mark.slow
def test_corrupt_image_in_training_raises_with_its_path(tmp_path):
    """A zero-byte JPEG in an ImageNet train folder, loaded by a DataLoader
    worker: CorruptImageError naming the file, in the iteration that draws
    it (not a bare OpenCV assertion)."""
    root = make_imagenet(tmp_path / 'imagenet', num_classes=2, per_class=2)
    bad = corrupt_image(root / 'train/n00000001/n00000001_1.JPEG', 'empty')
    options = imagenet_tiny_options(root, batch_size=2, max_epochs=1)
    options['train_dataloader.num_workers'] = 1
    with pytest.raises(CorruptImageError, match='empty file') as err:
        build_and_train('kd_r34_r18_imagenet.py', tmp_path / 'work', options)
    assert str(bad) in str(err.value)
