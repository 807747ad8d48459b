"""Hooks of the package, and mmrazor's distillation val loop.

``SingleTeacherDistillValLoop`` is mmrazor's own class, re-exported so that a
config importing it from here (``from mmkd_logits.engine import
SingleTeacherDistillValLoop``) imports the plugin first: mmrazor 1.0.0 alone
does not import on torch >= 2 (see :mod:`mmkd_logits.compat`).
"""
from mmrazor.engine import SingleTeacherDistillValLoop

from .hooks import *  # noqa: F401,F403
from .hooks import __all__ as _hooks

__all__ = ['SingleTeacherDistillValLoop', *_hooks]
