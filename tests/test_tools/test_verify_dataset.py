"""tools/misc/verify_dataset.py as a user runs it: every bad label and image
of an ImageNet folder listed with the reason, exit code 1; 0 when clean."""
import pytest

from tests.helpers.datasets import corrupt_image, make_imagenet, set_list_label
from tests.helpers.training import CONFIGS, run_tool

CONFIG = CONFIGS / 'kd_r34_r18_imagenet.py'


def _roots(root):
    return [
        f'{loader}.dataset.data_root={root}'
        for loader in ('train_dataloader', 'val_dataloader')
    ]


@pytest.mark.slow
def test_verify_dataset_lists_bad_files_and_fails(tmp_path):
    root = make_imagenet(tmp_path / 'bad', num_classes=2, per_class=3)
    set_list_label(root / 'meta' / 'train.txt', 2, 1000)
    empty = corrupt_image(root / 'train/n00000000/n00000000_0.JPEG', 'empty')
    cut = corrupt_image(root / 'val/ILSVRC2012_val_00000001.JPEG', 'truncated')
    proc = run_tool('misc/verify_dataset.py', CONFIG, '--num-workers', 2,
                    '--cfg-options', *_roots(root))
    assert proc.returncode == 1, proc.stdout[-3000:]
    out = proc.stdout
    assert '3 problem(s):' in out
    assert f"{root / 'meta' / 'train.txt'}:2: " in out
    assert 'label 1000 out of range [0, 999]' in out
    assert f'[train] image: {empty}: empty file (0 bytes)' in out
    assert f'[val] image: {cut}: truncated JPEG' in out
    assert '] 6/6,' in out  # the progress bar

    clean = make_imagenet(tmp_path / 'clean', num_classes=2, per_class=1)
    proc = run_tool('misc/verify_dataset.py', CONFIG, '--split', 'train',
                    '--cfg-options', *_roots(clean))
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert 'train: 2 samples, 2 labels, 2 image files checked' in proc.stdout
    assert 'no problem found' in proc.stdout
