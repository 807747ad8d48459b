"""VGG with batch normalization (vgg8, vgg11, vgg13, vgg16, vgg19) of the
distillation benchmarks.

Source architecture: ``vgg.py`` of the CRD benchmark (Tian et al., ICLR 2020),
used with ``batch_norm=True`` by CRD and mdistiller (their ``vgg13`` teacher
is ``vgg13_bn``) -- a CIFAR adaptation of Simonyan & Zisserman's VGG: five
blocks of 3x3 conv (with bias) + BN + ReLU, the last ReLU of every block
applied outside it, 2x2 max-pooling after blocks 0-2 (and after block 3 only
for 64x64 inputs, as in the original), then global average pooling and a
single linear classifier (``vgg8`` is the shallow ``"S"`` configuration).
For a 32x32 input the pre-pool map is 512x4x4.

Module names follow the original network (``block{0..4}.{idx}``, with the
original Sequential indices: conv at ``3j``, BN at ``3j+1``); the original
``classifier.*`` becomes ``head.fc.*``.
"""
from typing import Dict, List, Optional, Sequence, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmpretrain.models.backbones.base_backbone import BaseBackbone
from mmpretrain.registry import MODELS

from .arch_registry import arch_setting, register_archs
from .weight_init import he_conv_bn_init


def _vgg_block(in_channels: int, channels: Sequence[int]) -> nn.Sequential:
    """conv-BN-ReLU triples; the trailing ReLU is dropped (the network
    applies it itself, as the original does)."""
    layers: List[nn.Module] = []
    for c in channels:
        layers += [
            nn.Conv2d(in_channels, c, 3, padding=1),
            nn.BatchNorm2d(c),
            nn.ReLU(inplace=True)
        ]
        in_channels = c
    return nn.Sequential(*layers[:-1])


@register_archs
@MODELS.register_module()
class CIFARVGG(BaseBackbone):
    """The CRD/mdistiller CIFAR VGG with BN.

    Args:
        arch: a key of ``arch_settings`` (``'vgg8'``, ``'vgg11'``,
            ``'vgg13'``, ``'vgg16'``, ``'vgg19'``); each is also a registry
            name (``dict(type='vgg13')``).
        init_cfg: mmengine initialization config; ``None`` keeps the
            original initialization (convs ``N(0, sqrt(2 / (k*k*out)))``
            with zero bias, unit-weight zero-bias BN), applied at
            construction.

    ``forward`` returns a 1-tuple with ``relu(block4(...))``, the map
    before global pooling (512x4x4 for 32x32 inputs).
    """

    #: arch -> channels of the convolutions of each of the five blocks:
    #: ``vgg8`` is configuration "S" (5 convs), ``vgg11`` "A" (8),
    #: ``vgg13`` "B" (10), ``vgg16`` "D" (13), ``vgg19`` "E" (16)
    arch_settings: Dict[str, Tuple[Tuple[int, ...], ...]] = {
        'vgg8': ((64, ), (128, ), (256, ), (512, ), (512, )),
        'vgg11': ((64, ), (128, ), (256, 256), (512, 512), (512, 512)),
        'vgg13': ((64, 64), (128, 128), (256, 256), (512, 512), (512, 512)),
        'vgg16': ((64, 64), (128, 128), (256, 256, 256), (512, 512, 512),
                  (512, 512, 512)),
        'vgg19': ((64, 64), (128, 128), (256, 256, 256, 256),
                  (512, 512, 512, 512), (512, 512, 512, 512)),
    }

    def __init__(self, arch: str, init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        cfg = arch_setting(type(self), arch)
        self.arch = arch
        self.out_channels = cfg[-1][-1]
        in_channels = 3
        for i, channels in enumerate(cfg):
            self.add_module(f'block{i}', _vgg_block(in_channels, channels))
            in_channels = channels[-1]
        if init_cfg is None:
            he_conv_bn_init(self, zero_conv_bias=True)

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor]:
        pool_block3 = x.shape[2] == 64  # the original's Tiny-ImageNet rule
        x = F.max_pool2d(F.relu(self.block0(x)), 2, 2)
        x = F.max_pool2d(F.relu(self.block1(x)), 2, 2)
        x = F.max_pool2d(F.relu(self.block2(x)), 2, 2)
        x = F.relu(self.block3(x))
        if pool_block3:
            x = F.max_pool2d(x, 2, 2)
        x = F.relu(self.block4(x))
        return (x, )
