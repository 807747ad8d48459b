# The learning rate of the LDRLD authors' CIFAR-100 training (yema-web/LDRLD,
# train_student.py with its default --wram_up 20 and
# helper/util.py:adjust_learning_rate_wram_up), as it actually runs:
#   epochs 1..19 (1-based): lr = epoch / 20 x base;
#   epochs 20..150: the schedule function writes no lr, so it STAYS at
#     19/20 x base (0.0475 for base 0.05, 0.0095 for the 0.01 students);
#   epochs 151.., 181.., 211..: base x 0.1, 0.01, 0.001 (from the base lr,
#     not from the plateau).
# The published LDRLD numbers come from this schedule. With mmengine's
# chained schedulers: x0.95 on epochs 1..150 (ConstantLR restores the base
# at its end), times a ramp (1 + e) / 19 over 0-based epochs 0..18, times
# the usual x0.1 steps. The pair configs hand it to the LDRLD leaves as
# `pair.ldrld_param_scheduler`.
from mmengine.optim import ConstantLR, LinearLR, MultiStepLR

lr_warmup_param_scheduler = [
    dict(type=ConstantLR, factor=0.95, begin=0, end=151, by_epoch=True),
    dict(
        type=LinearLR,
        start_factor=1 / 19,
        end_factor=1.0,
        begin=0,
        end=19,
        by_epoch=True),
    dict(
        type=MultiStepLR, by_epoch=True, milestones=[150, 180, 210],
        gamma=0.1),
]
