"""The half-width CIFAR MobileNetV2 (``MobileNetV2`` of the distillation
benchmarks, i.e. CRD's ``mobile_half``).

Source architecture: ``mobilenetv2.py`` of the CRD benchmark (Tian et al.,
ICLR 2020), reused by mdistiller (whose ``MobileNetV2`` is ``mobile_half``)
-- Sandler et al.'s MobileNetV2 with expansion ``T = 6`` and width
multiplier 0.5, plain ReLU (not ReLU6), a stride-2 stem and the ImageNet
stride pattern, so a 32x32 input ends in a 2x2 map. Two differences from
the ImageNet network (kept, since the checkpoints depend on them): every
inverted-residual block has the 1x1 expansion convolution, also with
expansion 1, and the last 1x1 convolution always has 1280 channels.

Registry name: ``CIFAR_MobileNetV2`` (mmpretrain already registers its own
ImageNet ``MobileNetV2``); the model config keeps the zoo name
(``configs/_base_/models/cifar100/MobileNetV2.py``).

Module names follow the original network (``conv1.{0,1}``,
``blocks.{stage}.{i}.conv.{0,1,3,4,6,7}``, ``conv2.{0,1}``); the original
``classifier.0.*`` becomes ``head.fc.*``.
"""
from typing import List, Optional, Sequence, Tuple

import torch
import torch.nn as nn
from mmpretrain.models.backbones.base_backbone import BaseBackbone
from mmpretrain.registry import MODELS

from .weight_init import he_conv_bn_init


def _conv_bn_relu(in_channels: int,
                  out_channels: int,
                  kernel_size: int,
                  stride: int = 1) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(
            in_channels,
            out_channels,
            kernel_size,
            stride,
            padding=kernel_size // 2,
            bias=False), nn.BatchNorm2d(out_channels), nn.ReLU(inplace=True))


class InvertedResidualCIFAR(nn.Module):
    """1x1 expansion - 3x3 depthwise (with the stride) - 1x1 linear
    projection, all with BN; identity shortcut when the stride is 1 and the
    width does not change. ``conv`` is one Sequential, indexed as in the
    original (0/1/2 expansion, 3/4/5 depthwise, 6/7 projection)."""

    def __init__(self, in_channels: int, out_channels: int, stride: int,
                 expand_ratio: int) -> None:
        super().__init__()
        hidden = in_channels * expand_ratio
        self.use_res_connect = stride == 1 and in_channels == out_channels
        self.conv = nn.Sequential(
            nn.Conv2d(in_channels, hidden, 1, bias=False),
            nn.BatchNorm2d(hidden),
            nn.ReLU(inplace=True),
            nn.Conv2d(hidden, hidden, 3, stride, 1, groups=hidden, bias=False),
            nn.BatchNorm2d(hidden),
            nn.ReLU(inplace=True),
            nn.Conv2d(hidden, out_channels, 1, bias=False),
            nn.BatchNorm2d(out_channels),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.conv(x)
        return x + out if self.use_res_connect else out


@MODELS.register_module(name='CIFAR_MobileNetV2')
class CIFARMobileNetV2(BaseBackbone):
    """CRD/mdistiller CIFAR MobileNetV2 (``mobile_half``: expansion 6, width
    multiplier 0.5).

    Args:
        init_cfg: mmengine initialization config; ``None`` keeps the
            original initialization (convs ``N(0, sqrt(2 / (k*k*out)))``,
            unit-weight zero-bias BN), applied at construction.

    ``forward`` returns a 1-tuple with the output of ``conv2`` (1x1 conv +
    BN + ReLU), the map before pooling: 1280 x H/16 x W/16 (1280x2x2).
    """

    #: (expansion, channels, blocks, stride) of the seven stages; the
    #: channels are half of Sandler et al.'s (width multiplier 0.5)
    settings: Sequence[Tuple[int, int, int, int]] = (
        (1, 8, 1, 1),
        (6, 12, 2, 1),
        (6, 16, 3, 2),
        (6, 32, 4, 2),
        (6, 48, 3, 1),
        (6, 80, 3, 2),
        (6, 160, 1, 1),
    )
    #: stem width (half of 32) and final width (1280, not halved)
    stem_channels = 16
    out_channels = 1280

    def __init__(self, init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        in_channels = self.stem_channels
        self.conv1 = _conv_bn_relu(3, in_channels, 3, stride=2)
        blocks: List[nn.Module] = []
        for t, c, n, s in self.settings:
            stage = []
            for i in range(n):
                stage.append(
                    InvertedResidualCIFAR(in_channels, c, s if i == 0 else 1,
                                          t))
                in_channels = c
            blocks.append(nn.Sequential(*stage))
        self.blocks = nn.ModuleList(blocks)
        self.conv2 = _conv_bn_relu(in_channels, self.out_channels, 1)
        if init_cfg is None:
            he_conv_bn_init(self)

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor]:
        x = self.conv1(x)
        for stage in self.blocks:
            x = stage(x)
        return (self.conv2(x), )
