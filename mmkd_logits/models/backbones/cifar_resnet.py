"""CIFAR ResNets of the distillation benchmarks (resnet8 ... resnet110,
resnet8x4, resnet32x4).

Source architecture: the ``resnet.py`` CIFAR network of the CRD benchmark
(Tian et al., "Contrastive Representation Distillation", ICLR 2020), reused
unchanged by mdistiller (DKD, CVPR 2022) and by the SDD / RLD / LDRLD papers.
It is the original "ResNet for CIFAR" of He et al. (2016): a 3x3 stem and
three stages of ``n = (depth - 2) / 6`` basic blocks with strides 1, 2, 2.
Unlike the CIFAR ResNet of the paper, shortcuts that change the width use a
1x1 convolution + BN (option B), also in the first stage of the ``x4``
variants.

This is **not** mmpretrain's ``ResNet_CIFAR`` (that one is the ImageNet
ResNet with a 3x3 stem, 4 stages and 64..512 channels).

Module names follow the original network (``conv1``, ``bn1``,
``layer{1,2,3}.{i}.{conv1,bn1,conv2,bn2,downsample.0,downsample.1}``), so an
original state dict maps onto ``backbone.`` + key, its ``fc.*`` onto
``head.fc.*`` (see ``tools/convert_mdistiller_ckpt.py``).
"""
from typing import Dict, Optional, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmpretrain.models.backbones.base_backbone import BaseBackbone
from mmpretrain.registry import MODELS

from .arch_registry import arch_setting, register_archs
from .weight_init import he_conv_bn_init


class CIFARBasicBlock(nn.Module):
    """Two 3x3 conv-BN layers with a residual connection, then ReLU.

    Args:
        in_channels: input channels.
        channels: output channels.
        stride: stride of the first convolution.
        downsample: the shortcut projection (1x1 conv + BN) or ``None`` for
            the identity.
    """

    def __init__(self,
                 in_channels: int,
                 channels: int,
                 stride: int = 1,
                 downsample: Optional[nn.Module] = None) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(
            in_channels, channels, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(channels)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(channels)
        self.downsample = downsample

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + identity)


@register_archs
@MODELS.register_module()
class CIFARResNet(BaseBackbone):
    """The CRD/mdistiller CIFAR ResNet.

    Args:
        arch: a key of ``arch_settings`` (``'resnet8'`` ... ``'resnet110'``,
            ``'resnet8x4'``, ``'resnet32x4'``); each is also a registry
            name (``dict(type='resnet8x4')``).
        init_cfg: mmengine initialization config. ``None`` keeps the
            original initialization (Kaiming-normal fan-out convolutions,
            unit-weight zero-bias BN), applied at construction.

    ``forward`` returns a 1-tuple with the final feature map (after the last
    ReLU, before global pooling): ``num_filters[3] x H/4 x W/4``, i.e.
    64x8x8 / 256x8x8 for CIFAR inputs.
    """

    #: arch -> (depth ``6n + 2``, widths of the stem and the three stages)
    arch_settings: Dict[str, Tuple[int, Tuple[int, int, int, int]]] = {
        'resnet8': (8, (16, 16, 32, 64)),
        'resnet14': (14, (16, 16, 32, 64)),
        'resnet20': (20, (16, 16, 32, 64)),
        'resnet32': (32, (16, 16, 32, 64)),
        'resnet44': (44, (16, 16, 32, 64)),
        'resnet56': (56, (16, 16, 32, 64)),
        'resnet110': (110, (16, 16, 32, 64)),
        'resnet8x4': (8, (32, 64, 128, 256)),
        'resnet32x4': (32, (32, 64, 128, 256)),
    }

    def __init__(self, arch: str, init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        depth, num_filters = arch_setting(type(self), arch)
        num_blocks = (depth - 2) // 6
        self.arch = arch
        self.out_channels = num_filters[3]

        self.conv1 = nn.Conv2d(3, num_filters[0], 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(num_filters[0])
        self.relu = nn.ReLU(inplace=True)
        in_channels = num_filters[0]
        for i, stride in enumerate((1, 2, 2)):
            layer, in_channels = self._make_layer(in_channels,
                                                  num_filters[i + 1],
                                                  num_blocks, stride)
            self.add_module(f'layer{i + 1}', layer)
        if init_cfg is None:
            he_conv_bn_init(self)

    @staticmethod
    def _make_layer(in_channels: int, channels: int, num_blocks: int,
                    stride: int) -> Tuple[nn.Module, int]:
        downsample = None
        if stride != 1 or in_channels != channels:
            downsample = nn.Sequential(
                nn.Conv2d(in_channels, channels, 1, stride=stride, bias=False),
                nn.BatchNorm2d(channels))
        layers = [CIFARBasicBlock(in_channels, channels, stride, downsample)]
        layers += [
            CIFARBasicBlock(channels, channels) for _ in range(num_blocks - 1)
        ]
        return nn.Sequential(*layers), channels

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor]:
        x = self.relu(self.bn1(self.conv1(x)))
        x = self.layer1(x)
        x = self.layer2(x)
        x = self.layer3(x)
        return (x, )
