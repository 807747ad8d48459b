# Tiny-ImageNet ShuffleV2 (DOT's student): the CIFAR ShuffleV2 of the
# CRD/mdistiller zoo (mdistiller's tiny_imagenet_model_dict uses it) with 200
# classes: a 1024x8x8 map for 64x64 inputs. The original pools with a fixed
# avg_pool2d(4), which fits only 32x32 inputs (on 64x64 it leaves a 2x2 map
# that its 1024-input classifier cannot take); here the map is pooled
# globally, as every network of the zoo is. 1,458,028 parameters.
from mmengine.config import read_base

with read_base():
    from ..cifar100.ShuffleV2 import model

model.head.num_classes = 200
