# ImageNet-1K: 100 epochs, SGD momentum 0.9 (no nesterov), lr 0.2 for a
# total batch of 512, x0.1 after epochs 30/60/90, weight decay 1e-4 on every
# parameter (mdistiller's ImageNet setting, used by DKD / SDD / RLD).
# `--auto-scale-lr` rescales lr linearly for another total batch size.
from mmengine.optim import MultiStepLR, OptimWrapper
from torch.optim import SGD

optim_wrapper = dict(
    type=OptimWrapper,
    optimizer=dict(type=SGD, lr=0.2, momentum=0.9, weight_decay=1e-4))
param_scheduler = dict(
    type=MultiStepLR, by_epoch=True, milestones=[30, 60, 90], gamma=0.1)
train_cfg = dict(by_epoch=True, max_epochs=100, val_interval=1)
auto_scale_lr = dict(base_batch_size=512)
