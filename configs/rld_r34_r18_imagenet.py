# RLD on ImageNet-1K: ResNet-34 (teacher) -> ResNet-18 (student).
# Sun et al., "Knowledge Distillation with Refined Logits", arXiv:2408.07703:
# T=1, alpha=1, beta=0.5 (alpha_tau = T), warm-up 1 epoch (the distillation
# loss ramps linearly over the first epoch's iterations).
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
            loss_rld=dict(
                type='RLDLoss',
                tau=1.0,
                alpha=1.0,
                beta=0.5,
                alpha_tau=None,
                reduction='batchmean',
                loss_weight=1.0)),
        loss_forward_mappings=dict(
            loss_rld=dict(
                preds_S=dict(from_student=True, recorder='fc'),
                preds_T=dict(from_student=False, recorder='fc'),
                gt_labels=dict(
                    recorder='gt_labels', from_student=True, data_idx=1)))))

# RLD's warm-up: min(epoch / 1, 1) — linear over the first epoch's iterations
custom_hooks = [
    dict(type='mmrazor.DistillLossWarmupHook', warmup_epochs=1, by_epoch=False)
]
