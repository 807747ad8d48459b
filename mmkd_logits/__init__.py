"""mmkd_logits: logit distillation methods for OpenMMLab classification.

Importing the package checks the upstream stack, applies the compatibility
layer (:mod:`mmkd_logits.compat`) and registers every loss, recorder,
backbone, head, dataset and hook into the mmrazor / mmpretrain registries.
"""
from .compat import apply as _apply_compat
from .version import __version__

_apply_compat()

from . import datasets, engine, models  # noqa: E402,F401

__all__ = ['__version__', 'datasets', 'engine', 'models']
