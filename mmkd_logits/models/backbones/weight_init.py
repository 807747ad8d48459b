"""The weight initialisation the CRD/mdistiller CIFAR networks share."""
from torch import nn

__all__ = ['he_conv_bn_init']


def he_conv_bn_init(model: nn.Module, zero_conv_bias: bool = False) -> None:
    """Initialise ``model`` as the original CIFAR zoo code does.

    Every ``Conv2d`` weight is drawn from ``N(0, 2 / fan_out)`` (He/Kaiming
    normal, ``fan_out = k_h · k_w · out_channels``; the original networks
    write it either way, the draws are the same); every ``BatchNorm2d`` gets
    weight 1 and bias 0.

    Args:
        model: the network; all its submodules are visited in order.
        zero_conv_bias: also set the convolutions' biases to 0 (VGG's
            original does; the others leave PyTorch's default).
    """
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            nn.init.kaiming_normal_(
                m.weight, mode='fan_out', nonlinearity='relu')
            if zero_conv_bias and m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, nn.BatchNorm2d):
            nn.init.ones_(m.weight)
            nn.init.zeros_(m.bias)
