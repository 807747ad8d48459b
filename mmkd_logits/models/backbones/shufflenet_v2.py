"""The CIFAR ShuffleNet v2 of the distillation benchmarks (``ShuffleV2``).

Source architecture: ``ShuffleNetv2.py`` of the CRD benchmark (Tian et al.,
ICLR 2020), reused by mdistiller -- a CIFAR adaptation of Ma et al.'s
ShuffleNet V2 (ECCV 2018), size 1x: a 1x1 stem with 24 channels (no
max-pool), three stages of one stride-2 down-sampling unit followed by 3 / 7
/ 3 basic units (116 / 232 / 464 channels), then a 1x1 conv to 1024
channels + BN + ReLU; a 32x32 input ends in a 4x4 map.

This is not mmpretrain's ``ShuffleNetV2`` (ImageNet stem, other layout).

Module names follow the original network (``conv1``, ``bn1``,
``layer{1,2,3}.0.{conv1..conv5,bn1..bn5}`` for the down-sampling units,
``layer{1,2,3}.{i}.{conv1..conv3,bn1..bn3}`` for the basic units, ``conv2``,
``bn2``); the original ``linear.*`` classifier becomes ``head.fc.*``.
"""
from typing import Optional, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmpretrain.models.backbones.base_backbone import BaseBackbone
from mmpretrain.models.utils import channel_shuffle
from mmpretrain.registry import MODELS


class ShuffleV2Unit(nn.Module):
    """Basic unit: split the channels in halves, keep the first, transform
    the second (1x1, 3x3 depthwise, 1x1; ReLU after the first and the last),
    concatenate and shuffle (2 groups)."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        c = channels // 2
        self.conv1 = nn.Conv2d(c, c, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(c)
        self.conv2 = nn.Conv2d(c, c, 3, padding=1, groups=c, bias=False)
        self.bn2 = nn.BatchNorm2d(c)
        self.conv3 = nn.Conv2d(c, c, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(c)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x1, x2 = x.chunk(2, dim=1)
        out = F.relu(self.bn1(self.conv1(x2)))
        out = self.bn2(self.conv2(out))
        out = F.relu(self.bn3(self.conv3(out)))
        return channel_shuffle(torch.cat([x1, out], 1), 2)


class ShuffleV2DownUnit(nn.Module):
    """Stride-2 unit: both branches see the whole input. Left: 3x3
    depthwise/2, 1x1 (+ReLU); right: 1x1 (+ReLU), 3x3 depthwise/2, 1x1
    (+ReLU). Each gives ``out_channels // 2``; concatenated and shuffled."""

    def __init__(self, in_channels: int, out_channels: int) -> None:
        super().__init__()
        mid = out_channels // 2
        # left branch
        self.conv1 = nn.Conv2d(
            in_channels,
            in_channels,
            3,
            stride=2,
            padding=1,
            groups=in_channels,
            bias=False)
        self.bn1 = nn.BatchNorm2d(in_channels)
        self.conv2 = nn.Conv2d(in_channels, mid, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(mid)
        # right branch
        self.conv3 = nn.Conv2d(in_channels, mid, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(mid)
        self.conv4 = nn.Conv2d(
            mid, mid, 3, stride=2, padding=1, groups=mid, bias=False)
        self.bn4 = nn.BatchNorm2d(mid)
        self.conv5 = nn.Conv2d(mid, mid, 1, bias=False)
        self.bn5 = nn.BatchNorm2d(mid)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        left = self.bn1(self.conv1(x))
        left = F.relu(self.bn2(self.conv2(left)))
        right = F.relu(self.bn3(self.conv3(x)))
        right = self.bn4(self.conv4(right))
        right = F.relu(self.bn5(self.conv5(right)))
        return channel_shuffle(torch.cat([left, right], 1), 2)


@MODELS.register_module()
class ShuffleV2(BaseBackbone):
    """CRD/mdistiller CIFAR ShuffleNet v2 (``ShuffleV2``, size 1x).

    Args:
        init_cfg: mmengine initialization config. ``None`` keeps PyTorch's
            default initialization, as the original does.

    ``forward`` returns a 1-tuple with ``relu(bn2(conv2(...)))``, the map
    before pooling: 1024 x H/8 x W/8 (1024x4x4).
    """

    #: widths of the three stages and of the final 1x1 convolution
    widths = (116, 232, 464, 1024)
    #: basic units after the down-sampling unit of each stage
    num_blocks = (3, 7, 3)

    def __init__(self, init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        widths, num_blocks = self.widths, self.num_blocks
        self.out_channels = widths[3]
        self.conv1 = nn.Conv2d(3, 24, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(24)
        in_channels = 24
        for i in range(3):
            units = [ShuffleV2DownUnit(in_channels, widths[i])]
            units += [ShuffleV2Unit(widths[i]) for _ in range(num_blocks[i])]
            in_channels = widths[i]
            self.add_module(f'layer{i + 1}', nn.Sequential(*units))
        self.conv2 = nn.Conv2d(in_channels, widths[3], 1, bias=False)
        self.bn2 = nn.BatchNorm2d(widths[3])

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor]:
        x = F.relu(self.bn1(self.conv1(x)))
        x = self.layer1(x)
        x = self.layer2(x)
        x = self.layer3(x)
        return (F.relu(self.bn2(self.conv2(x))), )
