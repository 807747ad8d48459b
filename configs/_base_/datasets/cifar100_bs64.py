# CIFAR-100, batch 64 on one GPU (the CRD / mdistiller / DKD / SDD / RLD /
# LDRLD setting). Train: RandomCrop 32 with zero padding 4, then horizontal
# flip (torchvision's order in all four authors' loaders); test: the image.
from mmengine.dataset import DefaultSampler
from mmpretrain.datasets import CIFAR100, PackInputs, RandomCrop, RandomFlip
from mmpretrain.evaluation import Accuracy
from mmpretrain.models import ClsDataPreprocessor

# Normalization of the CRD / mdistiller teachers and of all four authors'
# code bases (mdistiller/dataset/cifar100.py, zju-SWJ/RLD,
# shicaiwei123/SDD-CVPR2024, yema-web/LDRLD dataset/cifar100.py):
# mean (0.5071, 0.4867, 0.4408), std (0.2675, 0.2565, 0.2761) on [0, 1]
# images, i.e. x 255 here -- not mmpretrain's own CIFAR-100 statistics.
data_preprocessor = dict(
    type=ClsDataPreprocessor,
    num_classes=100,
    mean=[0.5071 * 255, 0.4867 * 255, 0.4408 * 255],
    std=[0.2675 * 255, 0.2565 * 255, 0.2761 * 255],
    to_rgb=False)

train_dataloader = dict(
    batch_size=64,
    num_workers=4,
    persistent_workers=True,
    dataset=dict(
        type=CIFAR100,
        data_root='data/cifar100',
        split='train',
        pipeline=[
            dict(type=RandomCrop, crop_size=32, padding=4),
            dict(type=RandomFlip, prob=0.5, direction='horizontal'),
            dict(type=PackInputs),
        ]),
    sampler=dict(type=DefaultSampler, shuffle=True))
val_dataloader = dict(
    batch_size=64,
    num_workers=4,
    persistent_workers=True,
    dataset=dict(
        type=CIFAR100,
        data_root='data/cifar100',
        split='test',
        pipeline=[dict(type=PackInputs)]),
    sampler=dict(type=DefaultSampler, shuffle=False))
test_dataloader = val_dataloader
val_evaluator = dict(type=Accuracy, topk=(1, 5))
test_evaluator = val_evaluator
