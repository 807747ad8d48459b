"""mmkd_logits.datasets.verify_dataset: every label and every image file of
a config's datasets, each bad one named with the reason."""
import pytest
from mmengine.config import Config

import mmkd_logits  # noqa: F401
from mmkd_logits.datasets import verify_dataset
from mmkd_logits.datasets.verify import num_classes_from_config
from tests.helpers.datasets import (corrupt_image, make_cifar100,
                                    make_imagenet, set_cifar_label,
                                    set_list_label)
from tests.helpers.training import CONFIGS, no_cifar_md5

IMAGENET = 'kd_r34_r18_imagenet.py'


def _config(name: str, data_root, **extra) -> Config:
    cfg = Config.fromfile(str(CONFIGS / name))
    for loader in ('train_dataloader', 'val_dataloader'):
        cfg[loader].dataset.data_root = str(data_root)
        cfg[loader].dataset.update(extra)
    return cfg


@pytest.fixture
def broken_imagenet(tmp_path):
    """An ImageNet folder with a bad line in meta/train.txt, a zero-byte and
    a truncated train JPEG and a val "JPEG" that is an HTML page."""
    root = make_imagenet(tmp_path, num_classes=3, per_class=3)
    line = set_list_label(root / 'meta' / 'train.txt', 4, 1000)
    bad = {
        'empty':
        corrupt_image(root / 'train/n00000000/n00000000_2.JPEG', 'empty'),
        'truncated':
        corrupt_image(root / 'train/n00000002/n00000002_0.JPEG', 'truncated'),
        'text':
        corrupt_image(root / 'val/ILSVRC2012_val_00000001.JPEG', 'text'),
    }
    return root, line, bad


@pytest.mark.parametrize('num_workers', [1, 2])
def test_imagenet_every_bad_file_is_listed(broken_imagenet, num_workers,
                                           capsys):
    root, line, bad = broken_imagenet
    report = verify_dataset(_config(IMAGENET, root), num_workers=num_workers)
    assert not report.ok
    assert report.checked == {
        'train': dict(samples=9, labels=9, images=9),
        'val': dict(samples=3, labels=3, images=3),
    }
    found = {(p.split, p.kind, p.where): p.reason for p in report.problems}
    assert len(found) == 4
    label = found[('train', 'label',
                   f"{root / 'meta' / 'train.txt'}:4: {line!r} (sample 3)")]
    assert label == 'label 1000 out of range [0, 999]'
    assert found[('train', 'image', str(bad['empty']))] == \
        'empty file (0 bytes)'
    assert found[('train', 'image',
                  str(bad['truncated']))].startswith('truncated JPEG')
    assert found[('val', 'image',
                  str(bad['text']))].startswith('cannot be decoded')
    summary = report.summary()
    assert '4 problem(s):' in summary and str(bad['empty']) in summary
    out = capsys.readouterr().out  # mmengine's progress bar, per split
    assert '] 9/9,' in out and '] 3/3,' in out


def test_split_val_only(broken_imagenet):
    root, _, bad = broken_imagenet
    report = verify_dataset(_config(IMAGENET, root), split='val')
    assert list(report.checked) == ['val']
    assert [p.where for p in report.problems] == [str(bad['text'])]


def test_clean_dataset(tmp_path):
    root = make_imagenet(tmp_path, num_classes=2, per_class=1)
    report = verify_dataset(_config(IMAGENET, root))
    assert report.ok and report.summary().endswith('no problem found')


def test_cifar_label_150_in_the_test_pickle(tmp_path):
    root = make_cifar100(tmp_path, num_train=4, num_test=5)
    set_cifar_label(root, 'test', 4, 150)
    cfg = _config('kd_r56_r20_cifar100.py', root, download=False)
    with no_cifar_md5():
        report = verify_dataset(cfg)
    assert report.checked['train'] == dict(samples=4, labels=4, images=0)
    assert [str(p) for p in report.problems] == [
        f"[val] label: {root / 'cifar-100-python' / 'test'}, sample 4 of "
        'that file (sample 4): label 150 out of range [0, 99]'
    ]


def test_num_classes_from_config_and_override(tmp_path):
    cfg = Config.fromfile(str(CONFIGS / IMAGENET))
    assert num_classes_from_config(cfg) == 1000  # the student's head
    assert num_classes_from_config(
        Config(dict(model=dict(data_preprocessor=dict(num_classes=10))))) == 10
    assert num_classes_from_config(Config(dict(model=dict()))) is None
    root = make_imagenet(tmp_path, num_classes=3, per_class=1)
    report = verify_dataset(
        _config(IMAGENET, root), num_classes=2, check_images=False)
    assert [(p.split, p.reason) for p in report.problems] == [
        ('train', 'label 2 out of range [0, 1]'),
        ('val', 'label 2 out of range [0, 1]'),
    ]
    assert report.checked['train']['images'] == 0


def test_bad_split():
    with pytest.raises(ValueError, match='split must be one of'):
        verify_dataset(Config.fromfile(str(CONFIGS / IMAGENET)), split='test')
