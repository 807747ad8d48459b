# Tiny-ImageNet (200 classes, 64x64 images), 64 images per GPU
# (4 GPUs x 64 = 256, the batch that lr 0.2 in the schedule is set for).
# Layout: the official archive as extracted (see mmkd_logits.datasets).
# Augmentation and normalisation of mdistiller's Tiny-ImageNet loader (used
# by DOT, the source of the published Tiny-ImageNet numbers): train
# RandomRotation(20) (a uniform angle in [-20, 20] degrees, nearest
# interpolation, zero fill) + horizontal flip; test: the 64x64 image as is;
# mean (0.4802, 0.4481, 0.3975) and std (0.2302, 0.2265, 0.2262) x 255.
from mmengine.config import read_base

with read_base():
    from .loaders import *  # noqa: F401,F403

dataset_type = 'TinyImageNet'
data_root = 'data/tiny-imagenet-200'
data_preprocessor = dict(
    num_classes=200,
    mean=[122.451, 114.266, 101.363],
    std=[58.701, 57.758, 57.681],
    to_rgb=True)

train_pipeline = [
    # a corrupt image stops the run naming it; on_error='skip' warns,
    # counts and draws another sample instead (training only)
    dict(type='CheckedLoadImageFromFile', on_error='raise'),
    # |angle| uniform in [0, 20], negated with probability 0.5
    dict(
        type='Rotate',
        magnitude_range=(0, 20),
        magnitude_std='inf',
        prob=1.0,
        random_negative_prob=0.5,
        pad_val=0,
        interpolation='nearest'),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackInputs'),
]
test_pipeline = [
    dict(type='CheckedLoadImageFromFile'),
    dict(type='PackInputs'),
]

train_dataloader.dataset.update(  # noqa: F405
    type=dataset_type, data_root=data_root, pipeline=train_pipeline)
val_dataloader.dataset.update(  # noqa: F405
    type=dataset_type, data_root=data_root, pipeline=test_pipeline)
test_dataloader = val_dataloader  # noqa: F405
