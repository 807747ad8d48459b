"""Task-serialization classification head for AEKT (arXiv 2409.01679).

**Reconstructed from the paper's description** (abstract and summary only;
every choice is a parameter): AEKT separates classification from
distillation with a fully connected "task serialization" layer placed after
the student's classifier. Here:

* ``zk = fc(f)`` — the *distillation* logits (the usual classifier); a
  ``ModuleOutputs`` recorder on ``head.fc`` hands them to :class:`AEKTLoss`;
* ``zc = ser(zk)`` — the *classification* logits, ``ser`` a ``C×C`` linear
  layer initialised to the identity, so that training starts from exactly
  the plain classifier; cross-entropy with the labels and ``predict`` use
  ``zc``.

After training ``ser∘fc`` folds into one linear layer
(``tools/fold_serial_head.py``), so the deployed student is a plain
``LinearClsHead`` model.
"""
from typing import Optional, Tuple

import torch
from mmpretrain.models.heads import LinearClsHead
from mmpretrain.registry import MODELS
from torch import Tensor, nn

__all__ = ['SerialClsHead', 'SerializationLayer']


class SerializationLayer(nn.Linear):
    """Square linear layer ``C → C`` that initialises itself to the identity.

    ``init_weights`` is called by mmengine's ``BaseModule.init_weights``
    *after* the parent head applied its own ``init_cfg`` (e.g. the default
    ``Normal(layer='Linear', std=0.01)`` of ``LinearClsHead``, which would
    otherwise hit this layer too) and *before* a ``Pretrained`` init, so the
    identity survives the default initialisation while pretrained weights
    still win.

    Args:
        num_classes (int): ``C``, the size of input and output.
        bias (bool): whether the layer has a bias (initialised to 0).
            Defaults to True.
    """

    def __init__(self, num_classes: int, bias: bool = True) -> None:
        super().__init__(num_classes, num_classes, bias=bias)

    def reset_parameters(self) -> None:
        """Set the weight to the identity and the bias to zero."""
        with torch.no_grad():
            nn.init.eye_(self.weight)
            if self.bias is not None:
                nn.init.zeros_(self.bias)

    def init_weights(self) -> None:
        """mmengine hook: restore the identity initialisation."""
        self.reset_parameters()


@MODELS.register_module()
class SerialClsHead(LinearClsHead):
    """``LinearClsHead`` followed by a ``C×C`` task-serialization layer.

    Reconstructed from the AEKT paper's description; every choice is a
    parameter. ``self.fc`` gives the distillation logits ``zk`` (record
    ``head.fc`` for :class:`AEKTLoss`); ``self.ser`` (identity-initialised)
    maps them to the classification logits ``zc = ser(zk)``, which
    :meth:`forward`, and therefore ``loss`` (cross-entropy) and ``predict``,
    return. Use ``tools/fold_serial_head.py`` to fold ``ser∘fc`` into a plain
    ``LinearClsHead`` after training.

    Args:
        num_classes (int): number of classes ``C``; must equal the teacher's
            (``AEKTLoss`` compares ``head.fc`` with the teacher's logits).
        in_channels (int): number of input feature channels of ``fc``.
        ser_bias (bool): whether the serialization layer has a bias.
            Defaults to True.
        init_cfg (dict, optional): initialisation of ``fc`` (as in
            ``LinearClsHead``); ``ser`` is reset to the identity afterwards
            unless a ``Pretrained`` init loads it. Defaults to
            ``dict(type='Normal', layer='Linear', std=0.01)``.
        **kwargs: the other ``LinearClsHead`` / ``ClsHead`` arguments
            (``loss``, ``topk``, ``cal_acc``).
    """

    def __init__(self,
                 num_classes: int,
                 in_channels: int,
                 ser_bias: bool = True,
                 init_cfg: Optional[dict] = dict(
                     type='Normal', layer='Linear', std=0.01),
                 **kwargs) -> None:
        super().__init__(
            num_classes=num_classes,
            in_channels=in_channels,
            init_cfg=init_cfg,
            **kwargs)
        self.ser = SerializationLayer(num_classes, bias=ser_bias)

    def distill_logits(self, feats: Tuple[Tensor, ...]) -> Tensor:
        """The distillation logits ``zk = fc(pre_logits(feats))``."""
        return self.fc(self.pre_logits(feats))

    def forward(self, feats: Tuple[Tensor, ...]) -> Tensor:
        """The classification logits ``zc = ser(fc(pre_logits(feats)))``."""
        return self.ser(self.distill_logits(feats))
