from .config_check_hook import ConfigCheckHook
from .distill_diagnostics_hook import DistillDiagnosticsHook
from .distill_warmup_hook import DistillLossWarmupHook
from .weights_only_checkpoint_hook import WeightsOnlyCheckpointHook

__all__ = [
    'ConfigCheckHook', 'DistillDiagnosticsHook', 'DistillLossWarmupHook',
    'WeightsOnlyCheckpointHook'
]
