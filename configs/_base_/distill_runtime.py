# Runtime for distillation with mmrazor's SingleTeacherDistill.
# Validation evaluates the student (metrics `accuracy/top1`, ...) and the
# teacher (`teacher.accuracy/top1`, ...); the best checkpoint follows the
# student's top-1.
default_scope = 'mmpretrain'
custom_imports = dict(imports=['mmkd_logits'], allow_failed_imports=False)

default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=100),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(
        type='CheckpointHook',
        interval=1,
        max_keep_ckpts=3,
        save_best='accuracy/top1',
        rule='greater',
        backend_args=dict(backend='atomic_local')),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    visualization=dict(type='VisualizationHook', enable=False),
)

val_cfg = dict(type='mmrazor.SingleTeacherDistillValLoop')

# the frozen teacher's parameters do not require grad: DDP skips them
find_unused_parameters = False

# checkpoints without pickled objects: they load with weights_only=True;
# per-term distillation losses and the teacher's batch top-1 in the logs
# (train/diag/...); recorder sources, loss mappings and class counts checked
# on the built model before the first iteration (also for in-process Runner
# users; tools/train.py checks the config itself even earlier). A config
# that adds hooks should extend this list
# (`custom_hooks = [*custom_hooks, dict(...)]`), not replace it.
custom_hooks = [
    dict(type='mmrazor.WeightsOnlyCheckpointHook'),
    dict(type='mmrazor.DistillDiagnosticsHook', interval=1),
    dict(type='mmrazor.ConfigCheckHook'),
]

env_cfg = dict(
    cudnn_benchmark=False,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    dist_cfg=dict(backend='nccl'),
)

vis_backends = [dict(type='LocalVisBackend')]
visualizer = dict(type='UniversalVisualizer', vis_backends=vis_backends)
log_level = 'INFO'
load_from = None
resume = False
randomness = dict(seed=None, deterministic=False)
