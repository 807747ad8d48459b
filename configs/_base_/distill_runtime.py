# Runtime for distillation with mmrazor's SingleTeacherDistill: validation
# evaluates the student (`accuracy/top1`, ...) and the teacher
# (`teacher.accuracy/top1`, ...); the best checkpoint follows the student's
# top-1. SingleTeacherDistillValLoop is mmrazor's, imported through the
# plugin (which makes mmrazor importable on torch >= 2 first).
from mmengine.config import read_base

from mmkd_logits.engine import SingleTeacherDistillValLoop, TeacherCheckHook

with read_base():
    from .default_runtime import *  # noqa: F401,F403

default_hooks.checkpoint.update(  # noqa: F405
    save_best='accuracy/top1', rule='greater')
val_cfg = dict(type=SingleTeacherDistillValLoop)
# the frozen teacher's parameters do not require grad: DDP skips them
find_unused_parameters = False
# a teacher near chance on the first training batches (wrong normalization,
# class order or checkpoint) stops the run before the first step
custom_hooks = [*custom_hooks, dict(type=TeacherCheckHook)]  # noqa: F405
