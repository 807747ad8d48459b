"""Stand-in for mmrazor 1.0.0's quantization backend configs on torch >= 2.0.

Upstream bug: ``mmrazor.structures.quantization.backend_config`` uses
``torch.ao.nn.quantized._reference`` names that moved in torch 2.x, so
``import mmrazor.models`` fails with "`torch>=1.13` is not installed properly"
(open-mmlab/mmrazor issues #615 and #632; fixed only on mmrazor's unreleased
main branch). Distillation never touches quantization, so when — and only
when — that import fails, a stand-in module is installed in ``sys.modules``
under the same name. Its names raise a clear error if quantization is used.
Nothing in site-packages is edited.
"""
import sys
import types
from typing import Any

MODULE = 'mmrazor.structures.quantization.backend_config'

_NAMES = [
    'get_native_backend_config', 'get_native_backend_config_dict',
    'get_academic_backend_config', 'get_academic_backend_config_dict',
    'get_openvino_backend_config', 'get_openvino_backend_config_dict',
    'get_tensorrt_backend_config', 'get_tensorrt_backend_config_dict'
]

_MESSAGE = ('mmrazor quantization is unavailable: mmrazor 1.0.0\'s '
            'quantization '
            'backend configs do not import on torch {torch} ({error}); '
            'mmkd_logits replaced them with a stand-in so that distillation '
            'works (mmrazor issues #615/#632). Use torch<2.0 or mmrazor\'s '
            'main branch for quantization.')


class QuantizationUnavailable(RuntimeError):
    """Raised when mmrazor quantization is used on a torch it cannot run on."""


class _UnavailableBackendConfigs(dict):
    """``BackendConfigs`` stand-in: any lookup raises the reason."""

    def __init__(self, message: str) -> None:
        super().__init__()
        self._message = message

    def __getitem__(self, key: Any) -> Any:
        raise QuantizationUnavailable(self._message)


def _unavailable(message: str):

    def stand_in(*args, **kwargs):
        raise QuantizationUnavailable(message)

    return stand_in


def apply() -> bool:
    """Install the stand-in if the real module fails to import.

    Returns:
        bool: True if the stand-in was installed, False if upstream works.
    """
    try:
        __import__(MODULE)
        return False
    except ImportError as err:
        error = err
    import torch

    # Drop the half-imported package so that it re-imports around the stand-in.
    for name in list(sys.modules):
        if name == 'mmrazor.structures' or name.startswith(
                'mmrazor.structures.'):
            del sys.modules[name]
    message = _MESSAGE.format(torch=torch.__version__, error=error)
    module = types.ModuleType(MODULE, 'mmkd_logits stand-in: ' + message)
    module.BackendConfigs = _UnavailableBackendConfigs(message)
    for name in _NAMES:
        setattr(module, name, _unavailable(message))
    module.__all__ = ['BackendConfigs'] + _NAMES
    module.MMKD_STAND_IN = True
    sys.modules[MODULE] = module
    return True
