# AEKT on ImageNet-1K: ResNet-34 (teacher) -> ResNet-18 (student).
# Park & Lee, "Adaptive Explicit Knowledge Transfer for Knowledge
# Distillation", arXiv 2409.01679.
#
# RECONSTRUCTED from the paper's description (abstract and summary only, the
# exact equations are not available); every choice is a parameter — see
# docs/aekt.md and METHODS.md §5:
#   loss  = alpha * r * TCKD + beta * NCKD on the student's distillation
#           logits (head.fc), r = stopgrad(min(q_y / p_y, ratio_max));
#   head  = SerialClsHead: CE and prediction use ser(fc(x)), ser a CxC layer
#           initialised to the identity; fold it away after training with
#           tools/fold_serial_head.py.
# Hyper-parameters: the paper's ImageNet values are not available; T=1,
# alpha=1, beta=0.5 and a 1-epoch loss warm-up are taken BY ANALOGY WITH DKD
# on ImageNet (configs/dkd_r34_r18_imagenet.py); ratio_max=10 is the
# reconstruction's default.
from mmengine.config import read_base

with read_base():
    from ._base_.datasets.imagenet_bs64 import *  # noqa: F401,F403
    from ._base_.schedules.imagenet_100e import *  # noqa: F401,F403
    from ._base_.distill_runtime import *  # noqa: F401,F403
    from ._base_.models.imagenet.resnet18 import model as student
    from ._base_.models.imagenet.resnet34 import model as teacher

# the student's head gets the task-serialization layer (identity init)
student.head.type = 'SerialClsHead'

teacher_ckpt = 'https://download.openmmlab.com/mmclassification/v0/resnet/resnet34_8xb32_in1k_20210831-f257d4e6.pth'  # noqa: E501

model = dict(
    _scope_='mmrazor',
    type='SingleTeacherDistill',
    data_preprocessor=dict(
        type='mmpretrain.ClsDataPreprocessor', **data_preprocessor),
    architecture=student,
    teacher=teacher,
    teacher_ckpt=teacher_ckpt,
    distiller=dict(
        type='ConfigurableDistiller',
        student_recorders=dict(
            # head.fc: the DISTILLATION logits (before the serialization
            # layer); CE on the classification logits comes from the head
            fc=dict(type='ModuleOutputs', source='head.fc'),
            gt_labels=dict(type='ModuleInputs', source='head.loss_module')),
        teacher_recorders=dict(
            fc=dict(type='ModuleOutputs', source='head.fc')),
        distill_losses=dict(
            loss_aekt=dict(
                type='AEKTLoss',
                tau=1,
                alpha=1,
                beta=0.5,
                ratio_max=10.0,
                # reconstructed choices (defaults shown):
                detach_ratio=True,
                adaptive=True,
                ratio_tau=None,
                ratio_on='tckd',
                reduction='batchmean',
                loss_weight=1)),
        loss_forward_mappings=dict(
            loss_aekt=dict(
                preds_S=dict(from_student=True, recorder='fc'),
                preds_T=dict(from_student=False, recorder='fc'),
                gt_labels=dict(
                    recorder='gt_labels', from_student=True, data_idx=1)))))

# warm-up as DKD on ImageNet: min(epoch / 1, 1), linear over the first epoch
custom_hooks = [
    dict(type='mmrazor.DistillLossWarmupHook', warmup_epochs=1, by_epoch=False)
]
