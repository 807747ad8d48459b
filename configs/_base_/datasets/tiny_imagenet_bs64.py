# Tiny-ImageNet (200 classes, 64x64 images), 64 images per GPU (4 GPUs x 64
# = 256, the batch that lr 0.2 in the schedule is set for). Layout: the
# official archive as extracted (see mmkd_logits.datasets.TinyImageNet).
# Augmentation and normalisation of mdistiller's Tiny-ImageNet loader (used
# by DOT, the source of the published Tiny-ImageNet numbers): train
# RandomRotation(20) (a uniform angle in [-20, 20] degrees, nearest
# interpolation, zero fill) + horizontal flip; test: the 64x64 image as is.
from mmengine.dataset import DefaultSampler
from mmpretrain.datasets import PackInputs, RandomFlip, Rotate
from mmpretrain.evaluation import Accuracy
from mmpretrain.models import ClsDataPreprocessor

from mmkd_logits.datasets import CheckedLoadImageFromFile, TinyImageNet

# mdistiller's Tiny-ImageNet mean (0.4802, 0.4481, 0.3975) and std
# (0.2302, 0.2265, 0.2262) x 255
data_preprocessor = dict(
    type=ClsDataPreprocessor,
    num_classes=200,
    mean=[0.4802 * 255, 0.4481 * 255, 0.3975 * 255],
    std=[0.2302 * 255, 0.2265 * 255, 0.2262 * 255],
    to_rgb=True)

train_dataloader = dict(
    batch_size=64,
    num_workers=4,
    persistent_workers=True,
    dataset=dict(
        type=TinyImageNet,
        data_root='data/tiny-imagenet-200',
        split='train',
        pipeline=[
            # a corrupt image stops the run naming it; on_error='skip'
            # warns, counts and draws another sample instead
            dict(type=CheckedLoadImageFromFile),
            # |angle| uniform in [0, 20], negated with probability 0.5
            dict(
                type=Rotate,
                magnitude_range=(0, 20),
                magnitude_std='inf',
                prob=1.0,
                random_negative_prob=0.5,
                pad_val=0,
                interpolation='nearest'),
            dict(type=RandomFlip, prob=0.5, direction='horizontal'),
            dict(type=PackInputs),
        ]),
    sampler=dict(type=DefaultSampler, shuffle=True))
val_dataloader = dict(
    batch_size=64,
    num_workers=4,
    persistent_workers=True,
    dataset=dict(
        type=TinyImageNet,
        data_root='data/tiny-imagenet-200',
        split='val',
        pipeline=[
            dict(type=CheckedLoadImageFromFile),
            dict(type=PackInputs),
        ]),
    sampler=dict(type=DefaultSampler, shuffle=False))
test_dataloader = val_dataloader
val_evaluator = dict(type=Accuracy, topk=(1, 5))
test_evaluator = val_evaluator
