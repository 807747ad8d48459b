# The distillation model of every pair: mmrazor's SingleTeacherDistill with
# our LogitDistiller, recording the logits (the output of head.fc) of both
# models and the labels (the second input of the student's
# head.loss_module: gt_labels, [B]). A pair config adds the student
# (`architecture`), the teacher and `teacher_ckpt`; a method config adds
# the losses and their mappings.
from mmkd_logits.models import LogitDistiller, SingleTeacherDistill

model = dict(
    _scope_='mmrazor',
    type=SingleTeacherDistill,
    distiller=dict(
        type=LogitDistiller,
        student_recorders=dict(
            fc=dict(type='ModuleOutputs', source='head.fc'),
            gt_labels=dict(type='ModuleInputs', source='head.loss_module')),
        teacher_recorders=dict(
            fc=dict(type='ModuleOutputs', source='head.fc'))))
