# Tiny-ImageNet: 200 epochs, SGD momentum 0.9 (no nesterov), lr 0.2 (total
# batch 256), x0.1 after epochs 60/120/160, weight decay 5e-4 on every
# parameter (mdistiller's Tiny-ImageNet setting, used by DOT).
from mmengine.optim import MultiStepLR, OptimWrapper
from torch.optim import SGD

optim_wrapper = dict(
    type=OptimWrapper,
    optimizer=dict(type=SGD, lr=0.2, momentum=0.9, weight_decay=5e-4))
param_scheduler = dict(
    type=MultiStepLR, by_epoch=True, milestones=[60, 120, 160], gamma=0.1)
train_cfg = dict(by_epoch=True, max_epochs=200, val_interval=1)
auto_scale_lr = dict(base_batch_size=256)
