# CIFAR-100, batch 64 on one GPU (the CRD / mdistiller setting).
# Train: RandomCrop 32 with padding 4 + horizontal flip.
from mmengine.config import read_base

with read_base():
    from .loaders import *  # noqa: F401,F403

dataset_type = 'CIFAR100'
data_root = 'data/cifar100'
data_preprocessor = dict(
    num_classes=100,
    mean=[129.304, 124.070, 112.434],
    std=[68.170, 65.392, 70.418],
    to_rgb=False)

train_pipeline = [
    dict(type='RandomCrop', crop_size=32, padding=4),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackInputs'),
]
test_pipeline = [dict(type='PackInputs')]

train_dataloader.dataset.update(  # noqa: F405
    type=dataset_type, data_root=data_root, pipeline=train_pipeline)
val_dataloader.dataset.update(  # noqa: F405
    type=dataset_type, data_root=data_root, split='test',
    pipeline=test_pipeline)
test_dataloader = val_dataloader  # noqa: F405
