"""Tiny datasets in the real formats, shared by the config tests."""
from pathlib import Path
from typing import Dict

import pytest

from tests.helpers.datasets import (make_cifar100, make_imagenet,
                                    make_tiny_imagenet)


@pytest.fixture(scope='session')
def data(tmp_path_factory) -> Dict[str, Path]:
    """Two samples per split of CIFAR-100, ImageNet and Tiny-ImageNet."""
    root = tmp_path_factory.mktemp('config_data')
    return dict(
        cifar100=make_cifar100(root / 'cifar', num_train=2, num_test=2),
        imagenet=make_imagenet(
            root / 'imagenet',
            num_classes=2,
            per_class=1,
            val_per_class=1,
            size=40),
        tiny_imagenet=make_tiny_imagenet(
            root / 'tiny',
            num_classes=2,
            per_class=1,
            val_per_class=1,
            num_test=1))
