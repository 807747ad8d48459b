"""Wide residual networks (wrn_16_1, wrn_16_2, wrn_40_1, wrn_40_2) of the
distillation benchmarks.

Source architecture: ``wrn.py`` of the CRD benchmark (Tian et al., ICLR
2020), the pre-activation WRN-d-k of Zagoruyko & Komodakis ("Wide Residual
Networks", BMVC 2016), reused by mdistiller and the later papers: a 3x3
stem with 16 channels, three groups of ``n = (d - 4) / 6`` pre-activation
blocks with widths 16k / 32k / 64k and strides 1, 2, 2, then a final
BN + ReLU. The pre-pool feature map is ``relu(bn1(block3(x)))``.

Module names follow the original network (``conv1``,
``block{1,2,3}.layer.{i}.{bn1,conv1,bn2,conv2,convShortcut}``, ``bn1``); the
original ``fc.*`` classifier becomes ``head.fc.*``.
"""
from typing import Dict, Optional, Tuple

import torch
import torch.nn as nn
from mmpretrain.models.backbones.base_backbone import BaseBackbone
from mmpretrain.registry import MODELS

from .arch_registry import arch_setting, register_archs
from .weight_init import he_conv_bn_init


class WRNBlock(nn.Module):
    """Pre-activation wide basic block.

    When the width or the resolution changes, the pre-activation
    ``relu(bn1(x))`` feeds both the residual branch and the 1x1 projection
    shortcut ``convShortcut`` (as in the original); otherwise the shortcut
    is the raw input.
    """

    def __init__(self, in_channels: int, out_channels: int,
                 stride: int) -> None:
        super().__init__()
        self.bn1 = nn.BatchNorm2d(in_channels)
        self.relu1 = nn.ReLU(inplace=True)
        self.conv1 = nn.Conv2d(
            in_channels, out_channels, 3, stride=stride, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_channels)
        self.relu2 = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(
            out_channels, out_channels, 3, padding=1, bias=False)
        # A projection exists exactly when the width changes (the original
        # never has a strided block of equal width).
        self.convShortcut: Optional[nn.Module] = None
        if in_channels != out_channels:
            self.convShortcut = nn.Conv2d(
                in_channels, out_channels, 1, stride=stride, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        pre = self.relu1(self.bn1(x))
        out = self.conv2(self.relu2(self.bn2(self.conv1(pre))))
        shortcut = x if self.convShortcut is None else self.convShortcut(pre)
        return shortcut + out


class WRNGroup(nn.Module):
    """A group of ``num_blocks`` wide blocks (``.layer`` as the original's
    ``NetworkBlock``)."""

    def __init__(self, num_blocks: int, in_channels: int, out_channels: int,
                 stride: int) -> None:
        super().__init__()
        self.layer = nn.Sequential(*[
            WRNBlock(in_channels if i == 0 else out_channels, out_channels,
                     stride if i == 0 else 1) for i in range(num_blocks)
        ])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.layer(x)


@register_archs
@MODELS.register_module()
class WideResNetCIFAR(BaseBackbone):
    """The CRD/mdistiller pre-activation WRN-depth-widen_factor.

    Args:
        arch: a key of ``arch_settings`` (``'wrn_16_1'``, ``'wrn_16_2'``,
            ``'wrn_40_1'``, ``'wrn_40_2'``); each is also a registry name
            (``dict(type='wrn_40_2')``).
        init_cfg: mmengine initialization config; ``None`` keeps the
            original initialization (convs ``N(0, sqrt(2 / (k*k*out)))``,
            unit-weight zero-bias BN), applied at construction.

    ``forward`` returns a 1-tuple with ``relu(bn1(block3(...)))``, the map
    before global pooling: ``64k x H/4 x W/4``.
    """

    #: arch -> (depth ``6n + 4``, widen factor ``k``)
    arch_settings: Dict[str, Tuple[int, int]] = {
        'wrn_16_1': (16, 1),
        'wrn_16_2': (16, 2),
        'wrn_40_1': (40, 1),
        'wrn_40_2': (40, 2),
    }

    def __init__(self, arch: str, init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        depth, widen_factor = arch_setting(type(self), arch)
        n = (depth - 4) // 6
        widths = (16, 16 * widen_factor, 32 * widen_factor, 64 * widen_factor)
        self.arch = arch
        self.out_channels = widths[3]
        self.conv1 = nn.Conv2d(3, widths[0], 3, padding=1, bias=False)
        self.block1 = WRNGroup(n, widths[0], widths[1], 1)
        self.block2 = WRNGroup(n, widths[1], widths[2], 2)
        self.block3 = WRNGroup(n, widths[2], widths[3], 2)
        self.bn1 = nn.BatchNorm2d(widths[3])
        self.relu = nn.ReLU(inplace=True)
        if init_cfg is None:
            he_conv_bn_init(self)

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor]:
        x = self.conv1(x)
        x = self.block3(self.block2(self.block1(x)))
        return (self.relu(self.bn1(x)), )
