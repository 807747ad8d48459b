"""The only place that knows about upstream bugs.

Each workaround names the upstream issue it works around and is a no-op where
upstream already works. :func:`apply` runs once, from ``import mmkd_logits``.
"""
from typing import Dict

from . import (checkpoint, fileio, mmrazor_quantization, quiet, stack,
               teacher_checkpoint)
from .checkpoint import (UntrustedCheckpointError, is_trusted, trust_directory,
                         trust_file, trusted_directory)
from .stack import StackError, check_stack
from .teacher_checkpoint import TeacherCheckpointError

__all__ = [
    'apply', 'applied', 'check_stack', 'StackError',
    'UntrustedCheckpointError', 'trust_directory', 'trust_file',
    'trusted_directory', 'is_trusted', 'TeacherCheckpointError', 'checkpoint',
    'fileio', 'mmrazor_quantization', 'quiet', 'stack', 'teacher_checkpoint'
]

#: which workarounds were needed in this process (name → applied)
applied: Dict[str, bool] = {}


def apply() -> Dict[str, bool]:
    """Check the stack, then apply every workaround that is needed."""
    if applied:
        return applied
    applied['quiet_upstream_warnings'] = quiet.apply()
    check_stack()
    applied['mmrazor_quantization_stand_in'] = mmrazor_quantization.apply()
    applied['safe_checkpoint_loader'] = checkpoint.apply()
    applied['atomic_file_backend'] = fileio.apply()
    applied['strict_teacher_ckpt'] = teacher_checkpoint.apply()
    return applied
