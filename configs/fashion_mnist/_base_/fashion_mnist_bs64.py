# Fashion-MNIST for the CIFAR zoo, batch 64: a class-balanced subset of the
# original files, read where Debian's `dataset-fashion-mnist` installs them
# (`apt-get install dataset-fashion-mnist`; another folder:
# --cfg-options train_dataloader.dataset.data_root=... and the same for
# val_dataloader / test_dataloader). Nothing is downloaded.
#
# 28x28 grey -> the zoo's 3x32x32 input IN THE PIPELINE, not with a
# 1-channel stem: the networks stay exactly the CIFAR zoo's (same code,
# same shapes: a 32x32 input gives the 8x8 final map that SDD's 4x4 region
# grid expects), so every method config applies unchanged. The image is
# padded by 2 px of black (the dataset's background) on every side --
# the object keeps its size, no interpolation (LeNet's 28 -> 32 for MNIST)
# -- and its grey channel repeated three times (GreyToRGB). The cost: the
# first 3x3 convolution reads 3 identical channels (0.3 M of resnet8's
# 12.5 M multiply-adds per image).
#
# Subset (the time budget of the demo: every method x 3 seeds on 2 CPU
# cores in about an hour): the first `train_per_class` training images of
# every class and the first `test_per_class` test images of every class, in
# file order (LocalFashionMNIST's per_class) -- deterministic, balanced.
from mmengine.dataset import DefaultSampler
from mmpretrain.datasets import PackInputs, RandomCrop, RandomFlip
from mmpretrain.evaluation import Accuracy
from mmpretrain.models import ClsDataPreprocessor

from mmkd_logits.datasets import GreyToRGB, LocalFashionMNIST

data_root = '/usr/share/datasets/fashion-mnist'
train_per_class = 500  # 5,000 of the 60,000 training images
test_per_class = 200  # 2,000 of the 10,000 test images

# mean / std of the 60,000 training images on [0, 1] (0.2860 / 0.3530),
# x 255, the same for the three repeated channels
data_preprocessor = dict(
    type=ClsDataPreprocessor,
    num_classes=10,
    mean=[0.2860 * 255] * 3,
    std=[0.3530 * 255] * 3,
    to_rgb=False)

# Augmentation: horizontal flips only. Random 32x32 crops of a 4-px pad
# (CIFAR's) slowed the 5-epoch students down (resnet8, seed 0: 77.3 % top-1
# after 5 epochs with them, 81.1 % without).
train_pipeline = [
    # 28 + 2 x 2 = 32: the crop takes the whole padded image (no randomness)
    dict(type=RandomCrop, crop_size=32, padding=2),
    dict(type=RandomFlip, prob=0.5, direction='horizontal'),
    dict(type=GreyToRGB),
    dict(type=PackInputs),
]
test_pipeline = [
    dict(type=RandomCrop, crop_size=32, padding=2),
    dict(type=GreyToRGB),
    dict(type=PackInputs),
]

# the images are in memory: no loader workers (none to spare on 2 cores)
train_dataloader = dict(
    batch_size=64,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(
        type=LocalFashionMNIST,
        data_root=data_root,
        split='train',
        per_class=train_per_class,
        pipeline=train_pipeline),
    sampler=dict(type=DefaultSampler, shuffle=True))
val_dataloader = dict(
    batch_size=256,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(
        type=LocalFashionMNIST,
        data_root=data_root,
        split='test',
        per_class=test_per_class,
        pipeline=test_pipeline),
    sampler=dict(type=DefaultSampler, shuffle=False))
test_dataloader = val_dataloader
val_evaluator = dict(type=Accuracy, topk=(1, ))
test_evaluator = val_evaluator
del data_root, train_per_class, test_per_class
