# CIFAR-100: 240 epochs, SGD momentum 0.9 (no nesterov), lr 0.05, x0.1 after
# epochs 150/180/210, weight decay 5e-4 on every parameter (BN and biases
# included) -- CRD / mdistiller / DKD / RLD / SDD / LDRLD. ShuffleNet and
# MobileNet students use lr 0.01 (their pair configs set it).
# mmengine's 0-based milestones 150/180/210 equal the authors'
# `epoch > 150` with 1-based epochs: epoch 151 is the first at 0.005.
from mmengine.optim import MultiStepLR, OptimWrapper
from torch.optim import SGD

optim_wrapper = dict(
    type=OptimWrapper,
    optimizer=dict(type=SGD, lr=0.05, momentum=0.9, weight_decay=5e-4))
param_scheduler = dict(
    type=MultiStepLR, by_epoch=True, milestones=[150, 180, 210], gamma=0.1)
train_cfg = dict(by_epoch=True, max_epochs=240, val_interval=1)
auto_scale_lr = dict(base_batch_size=64)
