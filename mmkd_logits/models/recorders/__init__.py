"""mmrazor recorders of the package (in mmrazor's ``TASK_UTILS``)."""
from .multi_scale_logits_recorder import MultiScaleLogitsRecorder

__all__ = ['MultiScaleLogitsRecorder']
