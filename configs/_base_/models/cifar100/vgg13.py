# CIFAR-100 vgg13 of the CRD/mdistiller model zoo (pre-pool map 512x4x4,
# 9,462,180 parameters with this head). Needs `import mmkd_logits`
# (custom_imports) to register the backbone.
model = dict(
    _scope_='mmpretrain',
    type='ImageClassifier',
    backbone=dict(type='vgg13'),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='LinearClsHead',
        num_classes=100,
        in_channels=512,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0),
    ))
