# Runtime for distillation with mmrazor's SingleTeacherDistill.
# Validation evaluates the student (metrics `accuracy/top1`, ...) and the
# teacher (`teacher.accuracy/top1`, ...); the best checkpoint follows the
# student's top-1.
from mmengine.config import read_base

with read_base():
    from .default_runtime import *  # noqa: F401,F403

default_hooks.checkpoint.update(  # noqa: F405
    save_best='accuracy/top1', rule='greater')

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
custom_hooks = [  # after default_runtime's WeightsOnlyCheckpointHook
    *custom_hooks,  # noqa: F405
    dict(type='mmrazor.DistillDiagnosticsHook', interval=1),
    dict(type='mmrazor.ConfigCheckHook'),
]
