# CIFAR-100 MobileNetV2 of the CRD/mdistiller model zoo (pre-pool map 1280x2x2,
# 812,836 parameters with this head). Needs `import mmkd_logits`
# (custom_imports) to register the backbone.
# The half-width CIFAR MobileNetV2 of CRD/mdistiller ('mobile_half'),
# registered as 'CIFAR_MobileNetV2' (mmpretrain has its own MobileNetV2).
model = dict(
    _scope_='mmpretrain',
    type='ImageClassifier',
    backbone=dict(type='CIFAR_MobileNetV2'),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='LinearClsHead',
        num_classes=100,
        in_channels=1280,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0),
    ))
