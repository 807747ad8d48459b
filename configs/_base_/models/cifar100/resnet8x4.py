# CIFAR-100 resnet8x4 of the CRD/mdistiller model zoo (pre-pool map 256x8x8,
# 1,233,540 parameters with this head). Needs `import mmkd_logits`
# (custom_imports) to register the backbone.
model = dict(
    _scope_='mmpretrain',
    type='ImageClassifier',
    backbone=dict(type='resnet8x4'),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='LinearClsHead',
        num_classes=100,
        in_channels=256,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0),
    ))
