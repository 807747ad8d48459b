# KD: ResNet-50 -> MobileNet-V1 on ImageNet-1K.
# As mdistiller configs/imagenet/r50_mv1/kd.yaml: T=1, KD weight 0.5, student
# CE weight 0.5.
from mmengine.config import read_base

with read_base():
    from ._base_.pairs.r50_mbv1_imagenet import *  # noqa: F401,F403
    from ._base_.distill.kd import *  # noqa: F401,F403

model.merge(distill)  # noqa: F405
model.architecture.head.loss.loss_weight = 0.5  # noqa: F405
model.distiller.distill_losses.loss_kd.update(  # noqa: F405
    tau=1, loss_weight=0.5)
