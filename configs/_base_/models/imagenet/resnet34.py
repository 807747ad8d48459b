# mmpretrain's ResNet-34 for ImageNet-1K (the teacher of R34 -> R18): the
# ResNet-18 classifier with depth 34.
# Published weights (73.62 top-1 in mmpretrain's model zoo):
# https://download.openmmlab.com/mmclassification/v0/resnet/resnet34_8xb32_in1k_20210831-f257d4e6.pth
from mmengine.config import read_base

with read_base():
    from .resnet18 import model

model.backbone.depth = 34
