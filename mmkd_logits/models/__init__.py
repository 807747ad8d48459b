"""Models of the package: losses, the distiller, recorders, backbones, heads.

The public classes are importable from here, as configs do
(``from mmkd_logits.models import LDRLDLoss, LogitDistiller``).
``SingleTeacherDistill`` is mmrazor's own algorithm, re-exported so that a
config importing it from here imports the plugin first: mmrazor 1.0.0 alone
does not import on torch >= 2 (see :mod:`mmkd_logits.compat`).
"""
from mmrazor.models import SingleTeacherDistill

from . import backbones, distillers, heads, losses, recorders
from .distillers import LogitDistiller
from .heads import SerialClsHead
from .losses import (AEKTLoss, BaseLogitLoss, DKDLoss, KDLoss, LDRLDLoss,
                     RLDLoss, SDDLoss)
from .recorders import MultiScaleLogitsRecorder

__all__ = [
    'backbones', 'distillers', 'heads', 'losses', 'recorders',
    'SingleTeacherDistill', 'LogitDistiller', 'BaseLogitLoss', 'KDLoss',
    'DKDLoss', 'LDRLDLoss', 'RLDLoss', 'SDDLoss', 'AEKTLoss',
    'MultiScaleLogitsRecorder', 'SerialClsHead'
]
