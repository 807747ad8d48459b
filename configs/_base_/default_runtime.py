# Runtime of every config (plain teacher training with mmpretrain; the
# distillation runtime extends it).
from mmengine.hooks import (CheckpointHook, DistSamplerSeedHook, IterTimerHook,
                            LoggerHook, ParamSchedulerHook)
from mmengine.visualization import LocalVisBackend
from mmpretrain.engine.hooks import VisualizationHook
from mmpretrain.visualization import UniversalVisualizer

from mmkd_logits.engine.hooks import (DatasetCheckHook, NonFiniteLossHook,
                                      WeightsOnlyCheckpointHook)

default_scope = 'mmpretrain'
val_cfg = dict()
test_cfg = dict()

default_hooks = dict(
    timer=dict(type=IterTimerHook),
    logger=dict(type=LoggerHook, interval=100),
    param_scheduler=dict(type=ParamSchedulerHook),
    # atomic writes: a run killed while saving never leaves a torn file
    checkpoint=dict(
        type=CheckpointHook,
        interval=1,
        max_keep_ckpts=3,
        save_best='auto',
        backend_args=dict(backend='atomic_local')),
    sampler_seed=dict(type=DistSamplerSeedHook),
    visualization=dict(type=VisualizationHook, enable=False),
)

custom_hooks = [
    # checkpoints without pickled objects: they load with weights_only=True
    dict(type=WeightsOnlyCheckpointHook),
    # labels outside [0, num_classes) stop the run before the first step,
    # naming the file and the sample
    dict(type=DatasetCheckHook),
    # the first NaN / inf loss stops the run, naming the iteration and term
    dict(type=NonFiniteLossHook),
]

env_cfg = dict(
    cudnn_benchmark=False,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    dist_cfg=dict(backend='nccl'),
)

visualizer = dict(
    type=UniversalVisualizer, vis_backends=[dict(type=LocalVisBackend)])
log_level = 'INFO'
load_from = None
resume = False
randomness = dict(seed=None, deterministic=False)
