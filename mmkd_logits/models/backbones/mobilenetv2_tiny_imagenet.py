"""The Tiny-ImageNet MobileNetV2 of the distillation literature (the student
of the ResNet18 -> MobileNetV2 pair in DOT / mdistiller).

Source architecture: mdistiller's ``mv2_tinyimagenet.py`` (the network its
``tiny_imagenet_model_dict`` uses for ``MobileNetV2``), a full-width
MobileNetV2 (Sandler et al., 2018) laid out for small inputs. It is not the
half-width CIFAR network (``CIFAR_MobileNetV2``) nor mmpretrain's ImageNet
``MobileNetV2``:

* stem: 1x1 convolution 3 -> 32 **with padding 1** (a 64x64 input becomes
  66x66), BN, ReLU6;
* seven stages of linear bottlenecks ``(expansion t, channels, blocks,
  stride)``: ``(1, 16, 1, 1)``, ``(6, 24, 2, 2)``, ``(6, 32, 3, 2)``,
  ``(6, 64, 4, 2)``, ``(6, 96, 3, 1)``, ``(6, 160, 3, 1)``,
  ``(6, 320, 1, 1)`` -- total stride 8, a 9x9 map for 64x64 inputs;
* every bottleneck is 1x1 expansion (BN, ReLU6) - 3x3 depthwise with the
  stride (BN, ReLU6) - 1x1 linear projection (BN), **all convolutions with a
  bias**, identity shortcut when the stride is 1 and the width does not
  change; the expansion convolution is present also for ``t = 1``;
* a final 1x1 convolution 320 -> 1280 (BN, ReLU6); the original then pools
  globally and classifies with a 1x1 convolution ``conv2`` (1280 ->
  classes, with bias), which is a linear layer on the pooled vector.

Registry name: ``TinyImageNet_MobileNetV2``. Module names follow the
original network (``pre.{0,1}``, ``stage1.residual.{0..7}``,
``stage{2..6}.{i}.residual.{0..7}``, ``stage7.residual.{0..7}``,
``conv1.{0,1}``); the original classifier ``conv2`` (weight
``[classes, 1280, 1, 1]``) becomes ``head.fc`` (weight ``[classes, 1280]``).
Initialisation is PyTorch's default, as in the original.
"""
from typing import List, Optional, Sequence, Tuple

import torch
import torch.nn as nn
from mmpretrain.models.backbones.base_backbone import BaseBackbone
from mmpretrain.registry import MODELS


def _conv_bn(in_channels: int,
             out_channels: int,
             kernel_size: int,
             stride: int = 1,
             padding: int = 0,
             groups: int = 1,
             relu6: bool = True) -> List[nn.Module]:
    """Conv (with bias) + BN (+ ReLU6), as a list of modules to splice into
    a Sequential (the original's flat indexing)."""
    layers: List[nn.Module] = [
        nn.Conv2d(
            in_channels,
            out_channels,
            kernel_size,
            stride,
            padding,
            groups=groups),
        nn.BatchNorm2d(out_channels)
    ]
    if relu6:
        layers.append(nn.ReLU6(inplace=True))
    return layers


class LinearBottleneckTI(nn.Module):
    """Expansion - depthwise - linear projection, every conv with a bias;
    ``residual`` is one Sequential indexed as in the original (0/1/2
    expansion, 3/4/5 depthwise, 6/7 projection)."""

    def __init__(self, in_channels: int, out_channels: int, stride: int,
                 expand_ratio: int) -> None:
        super().__init__()
        hidden = in_channels * expand_ratio
        self.residual = nn.Sequential(
            *_conv_bn(in_channels, hidden, 1),
            *_conv_bn(hidden, hidden, 3, stride, padding=1, groups=hidden),
            *_conv_bn(hidden, out_channels, 1, relu6=False))
        self.use_shortcut = stride == 1 and in_channels == out_channels

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.use_shortcut:
            return x + self.residual(x)
        return self.residual(x)


@MODELS.register_module(name='TinyImageNet_MobileNetV2')
class TinyImageNetMobileNetV2(BaseBackbone):
    """mdistiller's Tiny-ImageNet MobileNetV2 as an mmpretrain backbone.

    ``forward`` returns a 1-tuple with the output of ``conv1`` (1x1 conv +
    BN + ReLU6), the map before pooling: 1280 x 9 x 9 for 64x64 inputs.

    Args:
        init_cfg: mmengine initialization config; ``None`` keeps PyTorch's
            default initialization (as the original).
    """

    #: (expansion, channels, blocks, stride); ``blocks=None``: one block that
    #: is the stage itself (no Sequential), as stage1 and stage7 of the
    #: original
    settings: Sequence[Tuple[int, int, Optional[int], int]] = (
        (1, 16, None, 1),
        (6, 24, 2, 2),
        (6, 32, 3, 2),
        (6, 64, 4, 2),
        (6, 96, 3, 1),
        (6, 160, 3, 1),
        (6, 320, None, 1),
    )
    stem_channels = 32
    out_channels = 1280

    def __init__(self, init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        # a 1x1 convolution with padding 1, as in the original
        self.pre = nn.Sequential(
            *_conv_bn(3, self.stem_channels, 1, padding=1))
        in_channels = self.stem_channels
        self.stage_names = []
        for index, (t, c, n, s) in enumerate(self.settings, start=1):
            if n is None:
                stage = LinearBottleneckTI(in_channels, c, s, t)
            else:
                stage = nn.Sequential(*[
                    LinearBottleneckTI(in_channels if i == 0 else c, c,
                                       s if i == 0 else 1, t) for i in range(n)
                ])
            name = f'stage{index}'
            self.add_module(name, stage)
            self.stage_names.append(name)
            in_channels = c
        self.conv1 = nn.Sequential(
            *_conv_bn(in_channels, self.out_channels, 1))

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor]:
        x = self.pre(x)
        for name in self.stage_names:
            x = getattr(self, name)(x)
        return (self.conv1(x), )
