"""The CIFAR-100 model zoo of the distillation literature (CRD/mdistiller
networks), MobileNet-V1 for ImageNet and the Tiny-ImageNet MobileNetV2, as
mmpretrain backbones.

The ResNet, "v2" ResNet, WRN and VGG families are one class each with an
``arch_settings`` table (``CIFARResNet(arch='resnet8x4')``); every
architecture of a table is also registered in ``mmpretrain.registry.MODELS``
under its zoo name (``type='resnet8'``, ``'wrn_40_2'``, ``'vgg13'``,
``'ResNet18'``, ...). ``ShuffleV1``, ``ShuffleV2`` and ``MobileNetV1`` are
registered under their class names; the half-width MobileNetV2 is
``CIFAR_MobileNetV2`` because mmpretrain already has a ``MobileNetV2`` (the
Tiny-ImageNet one is ``TinyImageNet_MobileNetV2``). Every backbone returns
a 1-tuple with the feature map right before global pooling.
"""
from typing import Dict

from .cifar_resnet import CIFARResNet
from .cifar_resnet_v2 import CIFARResNetV2
from .mobilenet_v1 import MobileNetV1
from .mobilenetv2_cifar import CIFARMobileNetV2
from .mobilenetv2_tiny_imagenet import TinyImageNetMobileNetV2
from .shufflenet_v1 import ShuffleV1
from .shufflenet_v2 import ShuffleV2
from .vgg import CIFARVGG
from .wrn import WideResNetCIFAR

#: zoo name (model config file name) -> registry name in mmpretrain MODELS
ZOO_REGISTRY_NAMES: Dict[str, str] = {
    **{
        arch: arch
        for family in (CIFARResNet, CIFARResNetV2, WideResNetCIFAR, CIFARVGG)
        for arch in family.arch_settings
    },
    'ShuffleV1': 'ShuffleV1',
    'ShuffleV2': 'ShuffleV2',
    'MobileNetV1': 'MobileNetV1',
    'MobileNetV2': 'CIFAR_MobileNetV2',
}

__all__ = [
    'CIFARResNet', 'CIFARResNetV2', 'WideResNetCIFAR', 'CIFARVGG',
    'CIFARMobileNetV2', 'ShuffleV1', 'ShuffleV2', 'MobileNetV1',
    'TinyImageNetMobileNetV2', 'ZOO_REGISTRY_NAMES'
]
