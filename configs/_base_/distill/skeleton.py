# The distillation model that every method shares: mmrazor's
# SingleTeacherDistill with a ConfigurableDistiller that records the logits
# (the output of head.fc) of the student and of the teacher, and the labels
# (the second input of the student's head.loss_module: `gt_labels`, a
# LongTensor [B]). Each method config of this folder adds its losses to
# `distill`; a leaf config merges it into its pair's model (_base_/pairs):
#
#     with read_base():
#         from ._base_.pairs.<pair> import *    # first: data, schedule,
#                                               # runtime, student, teacher
#         from ._base_.distill.<method> import *   # second: `distill` and
#                                                  # the method's hooks
#     model.merge(distill)
#
# The method comes second because methods with a loss warm-up extend the
# runtime's `custom_hooks` (imported here) with `warmup_hook`.
from mmengine.config import read_base

with read_base():
    from ..distill_runtime import custom_hooks  # noqa: F401

distill = dict(
    _scope_='mmrazor',
    type='SingleTeacherDistill',
    distiller=dict(
        type='ConfigurableDistiller',
        student_recorders=dict(
            fc=dict(type='ModuleOutputs', source='head.fc'),
            gt_labels=dict(type='ModuleInputs', source='head.loss_module')),
        teacher_recorders=dict(
            fc=dict(type='ModuleOutputs', source='head.fc'))))

# loss_forward_mappings of a loss on the logits, and of one that also takes
# the labels
logit_mapping = dict(
    preds_S=dict(from_student=True, recorder='fc'),
    preds_T=dict(from_student=False, recorder='fc'))
logit_label_mapping = dict(
    logit_mapping,
    gt_labels=dict(recorder='gt_labels', from_student=True, data_idx=1))

# DKD's loss settings (mdistiller/engine/cfg.py), which RLD (the authors'
# CIFAR-100 defaults), SD-DKD and AEKT (by analogy) share: T=4, alpha=1,
# beta=8; pair configs set the pair's beta
dkd_settings = dict(
    tau=4.0, alpha=1.0, beta=8.0, reduction='batchmean', loss_weight=1.0)

# the loss warm-up of the DKD-style recipes (mdistiller / RLD / SDD code):
# distillation losses x min(epoch / 20, 1) with 1-based epochs
warmup_hook = dict(
    type='mmrazor.DistillLossWarmupHook', warmup_epochs=20, by_epoch=True)
