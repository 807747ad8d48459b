# DKD baseline on ImageNet-1K: ResNet-34 (teacher) -> ResNet-18 (student).
# Zhao et al., "Decoupled Knowledge Distillation", CVPR 2022: T=1, alpha=1,
# beta=0.5, warm-up 1 epoch (the distillation loss ramps linearly over the
# first epoch). Loss: mmrazor's own DKDLoss with reduction='batchmean'
# (mmrazor's 'mean' sums over the batch instead of averaging).
from mmengine.config import read_base

with read_base():
    from ._base_.datasets.imagenet_bs64 import *  # noqa: F401,F403
    from ._base_.schedules.imagenet_100e import *  # noqa: F401,F403
    from ._base_.distill_runtime import *  # noqa: F401,F403
    from ._base_.models.imagenet.resnet18 import model as student
    from ._base_.models.imagenet.resnet34 import model as teacher

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
            fc=dict(type='ModuleOutputs', source='head.fc'),
            gt_labels=dict(type='ModuleInputs', source='head.loss_module')),
        teacher_recorders=dict(
            fc=dict(type='ModuleOutputs', source='head.fc')),
        distill_losses=dict(
            loss_dkd=dict(
                type='DKDLoss',
                tau=1,
                alpha=1,
                beta=0.5,
                loss_weight=1,
                reduction='batchmean')),
        loss_forward_mappings=dict(
            loss_dkd=dict(
                preds_S=dict(from_student=True, recorder='fc'),
                preds_T=dict(from_student=False, recorder='fc'),
                gt_labels=dict(
                    recorder='gt_labels', from_student=True, data_idx=1)))))

# DKD's warm-up: min(epoch / 1, 1) — linear over the first epoch's iterations
custom_hooks = custom_hooks + [  # noqa: F405 (from distill_runtime)
    dict(type='mmrazor.DistillLossWarmupHook', warmup_epochs=1, by_epoch=False)
]
