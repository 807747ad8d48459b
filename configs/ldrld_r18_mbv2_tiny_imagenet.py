# LDRLD: ResNet18 -> MobileNetV2 on Tiny-ImageNet.
# The authors' learning-rate warm-up (20 epochs, then a plateau at 0.95 x
# base until the first decay): _base_/schedules/*_lr_warmup.py.
# No published Tiny-ImageNet setting for this method: its CIFAR-100
# defaults (see the method and pair configs).
from mmengine.config import read_base

with read_base():
    from ._base_.distill.ldrld import *  # noqa: F401,F403
    from ._base_.pairs.r18_mbv2_tiny_imagenet import *  # noqa: F401,F403

model.merge(method)  # noqa: F405
model.distiller.distill_losses.loss_ldrld.tau = pair.tau  # noqa: F405
param_scheduler = pair.ldrld_param_scheduler  # noqa: F405
del method, pair  # noqa: F821
