# ImageNet-1K pair: ResNet-50 (teacher) -> MobileNet-V1 (student).
from mmengine.config import read_base

with read_base():
    from ..models.imagenet.mobilenet_v1 import model as student
    from ..models.imagenet.resnet50 import model as teacher
    from .imagenet import *  # noqa: F401,F403

model.update(  # noqa: F405
    architecture=student,
    teacher=teacher,
    # mmpretrain's published ResNet-50 (76.55 top-1); set a local path to use a
    # downloaded copy: --cfg-options model.teacher_ckpt=/path/to/resnet50.pth
    teacher_ckpt='https://download.openmmlab.com/mmclassification/v0/'
    'resnet/resnet50_8xb32_in1k_20210831-ea4938fc.pth')
# the pair's DKD beta 2 (mdistiller configs/imagenet/r50_mv1/dkd.yaml; also
# the RLD authors' configs/imagenet/r50_mv1/rld.yaml and SDD's sdd_dkd.yaml),
# used by DKD, SD-DKD and AEKT, and by RLD (the RLD authors' ImageNet configs
# use DKD's values)
# SDD: cross-family pair: M = (1, 2, 4) (SDD paper and scripts)
pair.update(dkd_beta=2.0, rld_beta=2.0, sdd_scales=(1, 2, 4))  # noqa: F405
del student, teacher
