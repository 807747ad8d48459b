# ImageNet-1K, 64 images per GPU (8 GPUs x 64 = 512, the DKD/SDD/RLD
# setting). Train: RandomResizedCrop 224 + horizontal flip; test: Resize 256
# + CenterCrop 224.
from mmengine.config import read_base

with read_base():
    from .loaders import *  # noqa: F401,F403

dataset_type = 'ImageNet'
data_root = 'data/imagenet'
data_preprocessor = dict(
    num_classes=1000,
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    to_rgb=True)

train_pipeline = [
    # a corrupt image stops the run naming it; on_error='skip' warns,
    # counts and draws another sample instead (training only)
    dict(type='CheckedLoadImageFromFile', on_error='raise'),
    dict(type='RandomResizedCrop', scale=224),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackInputs'),
]
test_pipeline = [
    dict(type='CheckedLoadImageFromFile'),
    dict(type='ResizeEdge', scale=256, edge='short'),
    dict(type='CenterCrop', crop_size=224),
    dict(type='PackInputs'),
]

train_dataloader.update(num_workers=8)  # noqa: F405
train_dataloader.dataset.update(  # noqa: F405
    type=dataset_type, data_root=data_root, pipeline=train_pipeline)
val_dataloader.update(num_workers=8)  # noqa: F405
val_dataloader.dataset.update(  # noqa: F405
    type=dataset_type, data_root=data_root, pipeline=test_pipeline)
test_dataloader = val_dataloader  # noqa: F405
