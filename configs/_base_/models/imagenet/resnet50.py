# mmpretrain's ResNet-50 for ImageNet-1K (the teacher of R50 -> MobileNet-V1):
# the ResNet-18 classifier with depth 50 (bottleneck blocks, 2048 channels).
# Published weights (76.55 top-1 in mmpretrain's model zoo):
# https://download.openmmlab.com/mmclassification/v0/resnet/resnet50_8xb32_in1k_20210831-ea4938fc.pth
from mmengine.config import read_base

with read_base():
    from .resnet18 import model

model.backbone.depth = 50
model.head.in_channels = 2048
