# LDRLD's learning-rate warm-up (see cifar100_240e_lr_warmup.py) on the
# Tiny-ImageNet schedule: epochs 1..19: epoch / 20 x base; 20..60: 19/20 x
# base; then base x 0.1, 0.01, 0.001 after epochs 60/120/160. The LDRLD
# authors published no Tiny-ImageNet code; this applies their CIFAR-100
# rule. The pair configs hand it to the LDRLD leaves as
# `pair.ldrld_param_scheduler`.
from mmengine.optim import ConstantLR, LinearLR, MultiStepLR

lr_warmup_param_scheduler = [
    dict(type=ConstantLR, factor=0.95, begin=0, end=61, by_epoch=True),
    dict(
        type=LinearLR,
        start_factor=1 / 19,
        end_factor=1.0,
        begin=0,
        end=19,
        by_epoch=True),
    dict(
        type=MultiStepLR, by_epoch=True, milestones=[60, 120, 160], gamma=0.1),
]
