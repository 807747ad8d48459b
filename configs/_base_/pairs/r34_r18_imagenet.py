# ImageNet-1K pair: ResNet-34 (teacher) -> ResNet-18 (student).
from mmengine.config import read_base

with read_base():
    from ..models.imagenet.resnet18 import model as student
    from ..models.imagenet.resnet34 import model as teacher
    from .imagenet import *  # noqa: F401,F403

model.update(  # noqa: F405
    architecture=student,
    teacher=teacher,
    # mmpretrain's published ResNet-34 (73.62 top-1); set a local path to use a
    # downloaded copy: --cfg-options model.teacher_ckpt=/path/to/resnet34.pth
    teacher_ckpt='https://download.openmmlab.com/mmclassification/v0/'
    'resnet/resnet34_8xb32_in1k_20210831-f257d4e6.pth')
# the pair's DKD beta 0.5 (mdistiller configs/imagenet/r34_r18/dkd.yaml; also
# the RLD authors' configs/imagenet/r34_r18/rld.yaml and SDD's sdd_dkd.yaml),
# used by DKD, SD-DKD and AEKT, and by RLD (the RLD authors' ImageNet configs
# use DKD's values)
# SDD: same-family pair: M = (1, 2) (SDD paper and scripts)
pair.update(dkd_beta=0.5, rld_beta=0.5, sdd_scales=(1, 2))  # noqa: F405
del student, teacher
