# CIFAR-100 ResNet50 of the CRD/mdistiller model zoo (pre-pool map 2048x4x4,
# 23,705,252 parameters with this head). Needs `import mmkd_logits`
# (custom_imports) to register the backbone.
model = dict(
    _scope_='mmpretrain',
    type='ImageClassifier',
    backbone=dict(type='ResNet50'),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='LinearClsHead',
        num_classes=100,
        in_channels=2048,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0),
    ))
