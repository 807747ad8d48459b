# The classifier every CIFAR-100 network of the CRD/mdistiller zoo uses in
# this package: zoo backbone -> global average pooling -> linear head with
# cross-entropy. Each file under models/cifar100/ sets the backbone (a class
# imported from mmkd_logits.models.backbones, so that building the config
# imports the plugin under any tool) and the head's input width.
from mmpretrain.models import (CrossEntropyLoss, GlobalAveragePooling,
                               ImageClassifier, LinearClsHead)

model = dict(
    _scope_='mmpretrain',
    type=ImageClassifier,
    backbone=dict(),
    neck=dict(type=GlobalAveragePooling),
    head=dict(
        type=LinearClsHead,
        num_classes=100,
        loss=dict(type=CrossEntropyLoss, loss_weight=1.0),
    ))
