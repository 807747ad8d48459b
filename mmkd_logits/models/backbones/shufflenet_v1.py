"""The CIFAR ShuffleNet v1 of the distillation benchmarks (``ShuffleV1``).

Source architecture: ``ShuffleNetv1.py`` of the CRD benchmark (Tian et al.,
ICLR 2020), reused by mdistiller -- a CIFAR adaptation of Zhang et al.'s
ShuffleNet (CVPR 2018) with 3 groups: a 1x1 stem with 24 channels (no
max-pool), three stages of 4 / 8 / 4 bottlenecks ending in 240 / 480 / 960
channels. Every stage starts with a stride-2 unit that concatenates the
3x3/stride-2 average-pooled input, so a 32x32 input ends in a 4x4 map. The
first 1x1 group convolution of the network (on the 24-channel stem) is not
grouped, as in the paper.

This is not mmpretrain's ``ShuffleNetV1`` (ImageNet stem, other layout).

Module names follow the original network (``conv1``, ``bn1``,
``layer{1,2,3}.{i}.{conv1,bn1,conv2,bn2,conv3,bn3}``); the original
``linear.*`` classifier becomes ``head.fc.*``.
"""
from typing import Optional, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmpretrain.models.backbones.base_backbone import BaseBackbone
from mmpretrain.models.utils import channel_shuffle
from mmpretrain.registry import MODELS


class ShuffleV1Unit(nn.Module):
    """ShuffleNet unit: 1x1 group conv, channel shuffle, 3x3 depthwise (with
    the stride), 1x1 group conv. Stride 1: ``relu(out + x)``; stride 2:
    ``relu(cat(out, avgpool3x3/2(x)))`` (``out_channels`` is then the width
    of the convolutional branch only).
    """

    def __init__(self,
                 in_channels: int,
                 out_channels: int,
                 stride: int,
                 groups: int,
                 stem_channels: int = 24) -> None:
        super().__init__()
        self.stride = stride
        mid = out_channels // 4
        first_groups = 1 if in_channels == stem_channels else groups
        self.first_groups = first_groups
        self.conv1 = nn.Conv2d(
            in_channels, mid, 1, groups=first_groups, bias=False)
        self.bn1 = nn.BatchNorm2d(mid)
        self.conv2 = nn.Conv2d(
            mid, mid, 3, stride=stride, padding=1, groups=mid, bias=False)
        self.bn2 = nn.BatchNorm2d(mid)
        self.conv3 = nn.Conv2d(mid, out_channels, 1, groups=groups, bias=False)
        self.bn3 = nn.BatchNorm2d(out_channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = F.relu(self.bn1(self.conv1(x)))
        out = channel_shuffle(out, self.first_groups)
        out = F.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        if self.stride == 2:
            shortcut = F.avg_pool2d(x, 3, stride=2, padding=1)
            return F.relu(torch.cat([out, shortcut], 1))
        return F.relu(out + x)


@MODELS.register_module()
class ShuffleV1(BaseBackbone):
    """CRD/mdistiller CIFAR ShuffleNet v1 (``ShuffleV1``).

    Args:
        init_cfg: mmengine initialization config. ``None`` keeps PyTorch's
            default initialization, as the original does.

    ``forward`` returns a 1-tuple with the last stage's output, the map
    before pooling: 960 x H/8 x W/8 (960x4x4).
    """

    #: output width and number of units of each of the three stages
    stage_widths = (240, 480, 960)
    num_blocks = (4, 8, 4)
    #: groups of the 1x1 convolutions
    groups = 3

    def __init__(self, init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        stem = 24
        self.out_channels = self.stage_widths[-1]
        self.conv1 = nn.Conv2d(3, stem, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(stem)
        in_channels = stem
        for i, (width,
                n) in enumerate(zip(self.stage_widths, self.num_blocks)):
            units = []
            for j in range(n):
                stride = 2 if j == 0 else 1
                branch = width - in_channels if j == 0 else width
                units.append(
                    ShuffleV1Unit(in_channels, branch, stride, self.groups,
                                  stem))
                in_channels = width
            self.add_module(f'layer{i + 1}', nn.Sequential(*units))

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor]:
        x = F.relu(self.bn1(self.conv1(x)))
        x = self.layer1(x)
        x = self.layer2(x)
        x = self.layer3(x)
        return (x, )
