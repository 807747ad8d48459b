# The students' schedule on Fashion-MNIST (every method and the student
# alone, so that they compare): 5 epochs, SGD momentum 0.9, lr 0.05 (the
# CIFAR zoo's, batch 64), weight decay 5e-4, cosine decay to 0 per
# iteration. The teacher config trains longer (its own epochs).
from mmengine.optim import CosineAnnealingLR, OptimWrapper
from torch.optim import SGD

max_epochs = 5
optim_wrapper = dict(
    type=OptimWrapper,
    optimizer=dict(type=SGD, lr=0.05, momentum=0.9, weight_decay=5e-4))
param_scheduler = dict(
    type=CosineAnnealingLR,
    by_epoch=True,
    T_max=max_epochs,
    eta_min=0.0,
    convert_to_iter_based=True)
train_cfg = dict(by_epoch=True, max_epochs=max_epochs, val_interval=1)
# no val_cfg here: the distillation runtime's (SingleTeacherDistillValLoop)
# must not be replaced by a plain one; the vanilla configs set val_cfg
test_cfg = dict()
auto_scale_lr = dict(base_batch_size=64)
del max_epochs
