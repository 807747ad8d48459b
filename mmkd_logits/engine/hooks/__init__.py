from .distill_warmup_hook import DistillLossWarmupHook
from .weights_only_checkpoint_hook import WeightsOnlyCheckpointHook

__all__ = ['DistillLossWarmupHook', 'WeightsOnlyCheckpointHook']
