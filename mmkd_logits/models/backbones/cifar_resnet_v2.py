"""The CIFAR "v2" ResNets (ResNet18, ResNet34, ResNet50) of the distillation
benchmarks.

Source architecture: ``resnetv2.py`` of the CRD benchmark (Tian et al., ICLR
2020; itself the widely used CIFAR adaptation of He et al.'s ImageNet
ResNets), reused by mdistiller and the later logit-distillation papers. It is
the ImageNet ResNet with the 7x7/stride-2 stem and the max-pool replaced by a
single 3x3/stride-1 convolution: four stages (64, 128, 256, 512 planes,
strides 1, 2, 2, 2), so a 32x32 input ends in a 4x4 map.

Module names follow the original network (``conv1``, ``bn1``,
``layer{1..4}.{i}.{conv*,bn*,shortcut.0,shortcut.1}``); the original
``linear.*`` classifier becomes ``head.fc.*``.
"""
from typing import Dict, Optional, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmpretrain.models.backbones.base_backbone import BaseBackbone
from mmpretrain.registry import MODELS

from .arch_registry import arch_setting, register_archs
from .weight_init import he_conv_bn_init


def _projection(in_channels: int, out_channels: int,
                stride: int) -> nn.Sequential:
    """1x1 conv + BN shortcut; an empty (identity) ``Sequential`` when the
    shape does not change, as in the original."""
    if stride == 1 and in_channels == out_channels:
        return nn.Sequential()
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, 1, stride=stride, bias=False),
        nn.BatchNorm2d(out_channels))


class BasicBlockV2(nn.Module):
    """Basic residual block (two 3x3 convs) of the CIFAR v2 ResNets."""

    expansion = 1

    def __init__(self, in_channels: int, planes: int, stride: int = 1) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(
            in_channels, planes, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.shortcut = _projection(in_channels, planes * self.expansion,
                                    stride)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + self.shortcut(x))


class BottleneckV2(nn.Module):
    """Bottleneck block (1x1, 3x3 with the stride, 1x1; expansion 4)."""

    expansion = 4

    def __init__(self, in_channels: int, planes: int, stride: int = 1) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, planes, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(
            planes, planes, 3, stride=stride, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = nn.Conv2d(planes, planes * self.expansion, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(planes * self.expansion)
        self.shortcut = _projection(in_channels, planes * self.expansion,
                                    stride)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = F.relu(self.bn1(self.conv1(x)))
        out = F.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        return F.relu(out + self.shortcut(x))


@register_archs
@MODELS.register_module()
class CIFARResNetV2(BaseBackbone):
    """The CRD/mdistiller CIFAR "v2" ResNet.

    Args:
        arch: a key of ``arch_settings`` (``'ResNet18'``, ``'ResNet34'``,
            ``'ResNet50'``); each is also a registry name
            (``dict(type='ResNet50')``; these are not mmpretrain's ImageNet
            ``ResNet``).
        init_cfg: mmengine initialization config; ``None`` keeps the
            original initialization, applied at construction.

    ``forward`` returns a 1-tuple with the final feature map (after the last
    ReLU, before global pooling): ``512 * expansion x H/8 x W/8`` (512x4x4,
    2048x4x4 for ``ResNet50``).
    """

    #: arch -> (block, blocks per stage)
    arch_settings: Dict[str, Tuple[type, Tuple[int, int, int, int]]] = {
        'ResNet18': (BasicBlockV2, (2, 2, 2, 2)),
        'ResNet34': (BasicBlockV2, (3, 4, 6, 3)),
        'ResNet50': (BottleneckV2, (3, 4, 6, 3)),
    }

    def __init__(self, arch: str, init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        block_cls, num_blocks = arch_setting(type(self), arch)
        self.arch = arch
        self.out_channels = 512 * block_cls.expansion
        self.conv1 = nn.Conv2d(3, 64, 3, stride=1, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        in_channels = 64
        for i, (planes,
                stride) in enumerate(zip((64, 128, 256, 512), (1, 2, 2, 2))):
            layers = []
            for j in range(num_blocks[i]):
                layers.append(
                    block_cls(in_channels, planes, stride if j == 0 else 1))
                in_channels = planes * block_cls.expansion
            self.add_module(f'layer{i + 1}', nn.Sequential(*layers))
        if init_cfg is None:
            he_conv_bn_init(self)

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor]:
        x = F.relu(self.bn1(self.conv1(x)))
        x = self.layer1(x)
        x = self.layer2(x)
        x = self.layer3(x)
        x = self.layer4(x)
        return (x, )
