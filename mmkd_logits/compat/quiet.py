"""Silence upstream warnings that do not apply to this install.

Each filter matches one message *and* the module that issues it, so the
same text from anywhere else, and every other warning, still shows:

* mmcv-lite: ``mmcv.cnn.bricks.transformer`` warns on import that
  ``MultiScaleDeformableAttention`` needs the compiled mmcv. Classification
  never uses it; the install is mmcv-lite on purpose (mmrazor 1.0.0 refuses
  mmcv > 2.1.0 and nothing here needs compiled ops).
* setuptools >= 80.9 warns ``pkg_resources is deprecated as an API`` each
  time mmengine's ``mmengine.utils.package_utils`` imports (and reloads,
  through ``importlib``) ``pkg_resources`` to resolve ``pkg::`` config
  paths and installed packages; the stack pins ``setuptools<82``, which
  still has it.

:func:`apply` runs first in ``import mmkd_logits`` (before mmcv is
imported); warnings issued before the plugin is imported cannot be
recalled.
"""
import warnings
from typing import List, Tuple

__all__ = ['FILTERS', 'install_filters', 'apply']

#: (message regex, category, module regex) of every silenced warning
FILTERS: List[Tuple[str, type, str]] = [
    (r'Fail to import ``MultiScaleDeformableAttention`` from '
     r'``mmcv\.ops\.multi_scale_deform_attn``', UserWarning,
     r'mmcv\.cnn\.bricks\.transformer$'),
    (r'pkg_resources is deprecated as an API', UserWarning,
     r'(mmengine\.utils\.package_utils|importlib)$'),
]

_applied = False


def install_filters() -> None:
    """Put the :data:`FILTERS` in front of the current warning filters."""
    for message, category, module in FILTERS:
        warnings.filterwarnings(
            'ignore', message=message, category=category, module=module)


def apply() -> bool:
    """Install the filters once; True if they were installed now."""
    global _applied
    if _applied:
        return False
    install_filters()
    _applied = True
    return True
