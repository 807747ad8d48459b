from .dataset_check_hook import DatasetCheckHook
from .non_finite_loss_hook import NonFiniteLossError, NonFiniteLossHook
from .teacher_check_hook import TeacherCheckError, TeacherCheckHook
from .weights_only_checkpoint_hook import WeightsOnlyCheckpointHook

__all__ = [
    'DatasetCheckHook', 'NonFiniteLossError', 'NonFiniteLossHook',
    'TeacherCheckError', 'TeacherCheckHook', 'WeightsOnlyCheckpointHook'
]
