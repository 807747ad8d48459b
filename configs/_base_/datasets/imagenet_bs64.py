# ImageNet-1K, 64 images per GPU (8 GPUs x 64 = 512, the DKD / SDD / RLD
# setting). As mdistiller's ImageNet loader (torchvision, PIL): train
# RandomResizedCrop 224 (scale 0.08-1, ratio 3/4-4/3, bilinear) + flip;
# test Resize 256 (short edge) + CenterCrop 224. Images are decoded and
# resized with Pillow, as torchvision does.
from mmengine.dataset import DefaultSampler
from mmpretrain.datasets import (CenterCrop, ImageNet, PackInputs, RandomFlip,
                                 RandomResizedCrop, ResizeEdge)
from mmpretrain.evaluation import Accuracy
from mmpretrain.models import ClsDataPreprocessor

from mmkd_logits.datasets import CheckedLoadImageFromFile

# torchvision's ImageNet statistics x 255 (mdistiller's normalize)
data_preprocessor = dict(
    type=ClsDataPreprocessor,
    num_classes=1000,
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    to_rgb=True)

train_dataloader = dict(
    batch_size=64,
    num_workers=8,
    persistent_workers=True,
    dataset=dict(
        type=ImageNet,
        data_root='data/imagenet',
        split='train',
        pipeline=[
            # a corrupt image stops the run naming it; on_error='skip'
            # warns, counts and draws another sample instead
            dict(type=CheckedLoadImageFromFile, imdecode_backend='pillow'),
            dict(type=RandomResizedCrop, scale=224, backend='pillow'),
            dict(type=RandomFlip, prob=0.5, direction='horizontal'),
            dict(type=PackInputs),
        ]),
    sampler=dict(type=DefaultSampler, shuffle=True))
val_dataloader = dict(
    batch_size=64,
    num_workers=8,
    persistent_workers=True,
    dataset=dict(
        type=ImageNet,
        data_root='data/imagenet',
        split='val',
        pipeline=[
            dict(type=CheckedLoadImageFromFile, imdecode_backend='pillow'),
            dict(type=ResizeEdge, scale=256, edge='short', backend='pillow'),
            dict(type=CenterCrop, crop_size=224),
            dict(type=PackInputs),
        ]),
    sampler=dict(type=DefaultSampler, shuffle=False))
test_dataloader = val_dataloader
val_evaluator = dict(type=Accuracy, topk=(1, 5))
test_evaluator = val_evaluator
