from .dataset_check_hook import DatasetCheckHook
from .non_finite_loss_hook import NonFiniteLossError, NonFiniteLossHook
from .weights_only_checkpoint_hook import WeightsOnlyCheckpointHook

__all__ = [
    'DatasetCheckHook', 'NonFiniteLossError', 'NonFiniteLossHook',
    'WeightsOnlyCheckpointHook'
]
