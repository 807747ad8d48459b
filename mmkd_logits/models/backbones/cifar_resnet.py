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
from typing import Dict, Optional, Sequence, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmpretrain.models.backbones.base_backbone import BaseBackbone
from mmpretrain.registry import MODELS

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

    expansion = 1

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


class CIFARBottleneck(nn.Module):
    """1x1 - 3x3 - 1x1 bottleneck (expansion 4) of the same family.

    Not used by any network of the zoo (all of them are ``basicblock``
    networks); kept so that ``CIFARResNet(block='bottleneck')`` mirrors the
    original's options.
    """

    expansion = 4

    def __init__(self,
                 in_channels: int,
                 channels: int,
                 stride: int = 1,
                 downsample: Optional[nn.Module] = None) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, channels, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(channels)
        self.conv2 = nn.Conv2d(
            channels, channels, 3, stride=stride, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(channels)
        self.conv3 = nn.Conv2d(
            channels, channels * self.expansion, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(channels * self.expansion)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        return F.relu(out + identity)


@MODELS.register_module()
class CIFARResNet(BaseBackbone):
    """The CRD/mdistiller CIFAR ResNet (generic form).

    Args:
        depth: network depth; ``6n + 2`` for basic blocks, ``9n + 2`` for
            bottlenecks.
        num_filters: stem width followed by the widths of the three stages,
            e.g. ``(16, 16, 32, 64)`` or ``(32, 64, 128, 256)`` for the x4
            variants.
        block: ``'basicblock'`` or ``'bottleneck'``.
        init_cfg: mmengine initialization config. ``None`` keeps the
            original initialization (Kaiming-normal fan-out convolutions,
            unit-weight zero-bias BN), applied at construction.

    ``forward`` returns a 1-tuple with the final feature map (after the last
    ReLU, before global pooling): ``num_filters[3] * expansion x H/4 x W/4``,
    i.e. 64x8x8 / 256x8x8 for CIFAR inputs.
    """

    blocks = {'basicblock': CIFARBasicBlock, 'bottleneck': CIFARBottleneck}

    def __init__(self,
                 depth: int = 20,
                 num_filters: Sequence[int] = (16, 16, 32, 64),
                 block: str = 'basicblock',
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        block_cls = self.blocks.get(block.lower())
        if block_cls is None:
            raise ValueError(f'block must be one of {list(self.blocks)}, '
                             f'got {block!r}')
        per_block = 2 if block_cls is CIFARBasicBlock else 3
        if (depth - 2) % (3 * per_block) != 0:
            raise ValueError(
                f'depth {depth} is not {3 * per_block}n+2 for {block}')
        if len(num_filters) != 4:
            raise ValueError('num_filters needs 4 widths (stem + 3 stages), '
                             f'got {tuple(num_filters)}')
        num_blocks = (depth - 2) // (3 * per_block)
        self.depth = depth
        self.num_filters = tuple(num_filters)
        self.out_channels = num_filters[3] * block_cls.expansion

        self.conv1 = nn.Conv2d(3, num_filters[0], 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(num_filters[0])
        self.relu = nn.ReLU(inplace=True)
        in_channels = num_filters[0]
        for i, stride in enumerate((1, 2, 2)):
            layer, in_channels = self._make_layer(block_cls, in_channels,
                                                  num_filters[i + 1],
                                                  num_blocks, stride)
            self.add_module(f'layer{i + 1}', layer)
        if init_cfg is None:
            self._original_init()

    @staticmethod
    def _make_layer(block_cls: type, in_channels: int, channels: int,
                    num_blocks: int, stride: int) -> Tuple[nn.Module, int]:
        out_channels = channels * block_cls.expansion
        downsample = None
        if stride != 1 or in_channels != out_channels:
            downsample = nn.Sequential(
                nn.Conv2d(
                    in_channels, out_channels, 1, stride=stride, bias=False),
                nn.BatchNorm2d(out_channels))
        layers = [block_cls(in_channels, channels, stride, downsample)]
        layers += [
            block_cls(out_channels, channels) for _ in range(num_blocks - 1)
        ]
        return nn.Sequential(*layers), out_channels

    def _original_init(self) -> None:
        he_conv_bn_init(self)

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor]:
        x = self.relu(self.bn1(self.conv1(x)))
        x = self.layer1(x)
        x = self.layer2(x)
        x = self.layer3(x)
        return (x, )


_ARCHS: Dict[str, Tuple[int, Tuple[int, ...]]] = {
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


class _FixedCIFARResNet(CIFARResNet):
    """A named member of the zoo: depth and widths fixed by ``arch``."""

    arch: str = ''

    def __init__(self, init_cfg: Optional[dict] = None) -> None:
        depth, num_filters = _ARCHS[self.arch]
        super().__init__(
            depth=depth, num_filters=num_filters, init_cfg=init_cfg)


@MODELS.register_module(name='resnet8')
class ResNet8(_FixedCIFARResNet):
    """``resnet8``: depth 8, widths 16/16/32/64 (map 64x8x8)."""
    arch = 'resnet8'


@MODELS.register_module(name='resnet14')
class ResNet14(_FixedCIFARResNet):
    """``resnet14``: depth 14, widths 16/16/32/64 (map 64x8x8)."""
    arch = 'resnet14'


@MODELS.register_module(name='resnet20')
class ResNet20(_FixedCIFARResNet):
    """``resnet20``: depth 20, widths 16/16/32/64 (map 64x8x8)."""
    arch = 'resnet20'


@MODELS.register_module(name='resnet32')
class ResNet32(_FixedCIFARResNet):
    """``resnet32``: depth 32, widths 16/16/32/64 (map 64x8x8)."""
    arch = 'resnet32'


@MODELS.register_module(name='resnet44')
class ResNet44(_FixedCIFARResNet):
    """``resnet44``: depth 44, widths 16/16/32/64 (map 64x8x8)."""
    arch = 'resnet44'


@MODELS.register_module(name='resnet56')
class ResNet56(_FixedCIFARResNet):
    """``resnet56``: depth 56, widths 16/16/32/64 (map 64x8x8)."""
    arch = 'resnet56'


@MODELS.register_module(name='resnet110')
class ResNet110(_FixedCIFARResNet):
    """``resnet110``: depth 110, widths 16/16/32/64 (map 64x8x8)."""
    arch = 'resnet110'


@MODELS.register_module(name='resnet8x4')
class ResNet8x4(_FixedCIFARResNet):
    """``resnet8x4``: depth 8, widths 32/64/128/256 (map 256x8x8)."""
    arch = 'resnet8x4'


@MODELS.register_module(name='resnet32x4')
class ResNet32x4(_FixedCIFARResNet):
    """``resnet32x4``: depth 32, widths 32/64/128/256 (map 256x8x8)."""
    arch = 'resnet32x4'
