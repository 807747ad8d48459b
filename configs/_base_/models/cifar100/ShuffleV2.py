# CIFAR-100 ShuffleV2 of the CRD/mdistiller model zoo (pre-pool map 1024x4x4,
# 1,355,528 parameters with this head). Needs `import mmkd_logits`
# (custom_imports) to register the backbone.
model = dict(
    _scope_='mmpretrain',
    type='ImageClassifier',
    backbone=dict(type='ShuffleV2'),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='LinearClsHead',
        num_classes=100,
        in_channels=1024,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0),
    ))
