"""MobileNet-V1 for ImageNet, the student of the ResNet-50 -> MobileNet-V1
pair of the distillation literature.

Source architecture: Howard et al., "MobileNets" (2017), in the form used by
the ImageNet experiments of CRD/mdistiller (``mobilenetv1.py``) and the
DKD/SDD/RLD/LDRLD papers: a 3x3/stride-2 conv-BN-ReLU with 32 channels, then
13 depthwise-separable layers (3x3 depthwise conv-BN-ReLU, 1x1 conv-BN-ReLU)
up to 1024 channels, total stride 32 (1024x7x7 for a 224x224 input).

Module names follow the original network (``model.{0..13}.{idx}``); its
``fc.*`` classifier becomes ``head.fc.*``. The original's final 7x7 average
pooling is not part of the backbone (the classifier's
``GlobalAveragePooling`` neck does it).
"""
from typing import Optional, Tuple

import torch
import torch.nn as nn
from mmpretrain.models.backbones.base_backbone import BaseBackbone
from mmpretrain.registry import MODELS


def _conv_bn(in_channels: int, out_channels: int,
             stride: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, 3, stride, 1, bias=False),
        nn.BatchNorm2d(out_channels), nn.ReLU(inplace=True))


def _conv_dw(in_channels: int, out_channels: int,
             stride: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(
            in_channels,
            in_channels,
            3,
            stride,
            1,
            groups=in_channels,
            bias=False),
        nn.BatchNorm2d(in_channels),
        nn.ReLU(inplace=True),
        nn.Conv2d(in_channels, out_channels, 1, bias=False),
        nn.BatchNorm2d(out_channels),
        nn.ReLU(inplace=True),
    )


@MODELS.register_module()
class MobileNetV1(BaseBackbone):
    """MobileNet-V1 (width 1.0) for ImageNet.

    Args:
        init_cfg: mmengine initialization config. ``None`` keeps PyTorch's
            default initialization, as the original does.

    ``forward`` returns a 1-tuple with the output of the last
    depthwise-separable layer: 1024 x H/32 x W/32 (1024x7x7).
    """

    #: (output channels, stride) of the 13 depthwise-separable layers
    dw_settings = ((64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2),
                   (512, 1), (512, 1), (512, 1), (512, 1), (512, 1), (1024, 2),
                   (1024, 1))

    def __init__(self, init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        layers = [_conv_bn(3, 32, 2)]
        in_channels = 32
        for out_channels, stride in self.dw_settings:
            layers.append(_conv_dw(in_channels, out_channels, stride))
            in_channels = out_channels
        self.out_channels = in_channels
        self.model = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor]:
        return (self.model(x), )
