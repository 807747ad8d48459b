"""The CIFAR-100 model zoo of the distillation literature (CRD/mdistiller
networks), MobileNet-V1 for ImageNet and the Tiny-ImageNet MobileNetV2, as
mmpretrain backbones.

Each network is registered in ``mmpretrain.registry.MODELS`` under its zoo
name (``resnet8``, ``wrn_40_2``, ``vgg13``, ``ShuffleV1``, ...), except the
half-width MobileNetV2, registered as ``CIFAR_MobileNetV2`` because
mmpretrain already has a ``MobileNetV2`` (the Tiny-ImageNet one is
``TinyImageNet_MobileNetV2``). Every backbone returns a 1-tuple
with the feature map right before global pooling.
"""
from .cifar_resnet import (CIFARResNet, ResNet8, ResNet8x4, ResNet14, ResNet20,
                           ResNet32, ResNet32x4, ResNet44, ResNet56, ResNet110)
from .cifar_resnet_v2 import CIFARResNetV2, ResNet18, ResNet34, ResNet50
from .mobilenet_v1 import MobileNetV1
from .mobilenetv2_cifar import CIFARMobileNetV2
from .mobilenetv2_tiny_imagenet import TinyImageNetMobileNetV2
from .shufflenet_v1 import ShuffleV1
from .shufflenet_v2 import ShuffleV2
from .vgg import VGG8, VGG11, VGG13, VGG16, VGG19, CIFARVGG
from .wrn import WRN16x1, WRN16x2, WRN40x1, WRN40x2, WideResNetCIFAR

#: zoo name (model config file name) -> registry name in mmpretrain MODELS
_SAME_NAME = ('resnet8', 'resnet14', 'resnet20', 'resnet32', 'resnet44',
              'resnet56', 'resnet110', 'resnet8x4', 'resnet32x4', 'ResNet18',
              'ResNet34', 'ResNet50', 'wrn_16_1', 'wrn_16_2', 'wrn_40_1',
              'wrn_40_2', 'vgg8', 'vgg11', 'vgg13', 'vgg16', 'vgg19',
              'ShuffleV1', 'ShuffleV2', 'MobileNetV1')
ZOO_REGISTRY_NAMES = {name: name for name in _SAME_NAME}
ZOO_REGISTRY_NAMES['MobileNetV2'] = 'CIFAR_MobileNetV2'

__all__ = [
    'CIFARResNet', 'ResNet8', 'ResNet14', 'ResNet20', 'ResNet32', 'ResNet44',
    'ResNet56', 'ResNet110', 'ResNet8x4', 'ResNet32x4', 'CIFARResNetV2',
    'ResNet18', 'ResNet34', 'ResNet50', 'WideResNetCIFAR', 'WRN16x1',
    'WRN16x2', 'WRN40x1', 'WRN40x2', 'CIFARVGG', 'VGG8', 'VGG11', 'VGG13',
    'VGG16', 'VGG19', 'CIFARMobileNetV2', 'ShuffleV1', 'ShuffleV2',
    'MobileNetV1', 'TinyImageNetMobileNetV2', 'ZOO_REGISTRY_NAMES'
]
