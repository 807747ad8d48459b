# CIFAR-100 wrn_16_2 of the CRD/mdistiller model zoo (pre-pool map 128x8x8,
# 703,284 parameters with this head). Needs `import mmkd_logits`
# (custom_imports) to register the backbone.
model = dict(
    _scope_='mmpretrain',
    type='ImageClassifier',
    backbone=dict(type='wrn_16_2'),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='LinearClsHead',
        num_classes=100,
        in_channels=128,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0),
    ))
