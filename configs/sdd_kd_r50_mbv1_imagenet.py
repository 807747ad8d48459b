# SD-KD: ResNet-50 -> MobileNet-V1 on ImageNet-1K.
# As SDD configs/imagenet/r50_mv2/sdd_kd.yaml: mdistiller's KD defaults (T=4,
# weight 0.9, CE 0.1); M = (1, 2, 4) (the default; cross family).
from mmengine.config import read_base

with read_base():
    from ._base_.pairs.r50_mbv1_imagenet import *  # noqa: F401,F403
    from ._base_.distill.sdd_kd import *  # noqa: F401,F403

model.merge(distill)  # noqa: F405
