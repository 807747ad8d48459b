# LDRLD on ImageNet-1K: ResNet-34 (teacher) -> ResNet-18 (student).
# Xu et al., "Local Dense Logit Relations for Enhanced Knowledge
# Distillation", ICCV 2025 (arXiv:2507.15911). The paper's ImageNet
# hyper-parameters could not be found in the accessible sources (the
# published setting is ResNet32x4 -> ResNet8x4 on CIFAR-100: T=4, d=7,
# alpha=10.5, beta=7.0); here T=1 as in the KD/DKD/RLD ImageNet recipes, with
# the published d, alpha, beta and ADW constants. No loss warm-up.
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
            fc=dict(type='ModuleOutputs', source='head.fc')),
        teacher_recorders=dict(
            fc=dict(type='ModuleOutputs', source='head.fc')),
        distill_losses=dict(
            loss_ldrld=dict(
                type='LDRLDLoss',
                tau=1.0,
                topk=7,
                alpha=10.5,
                beta=7.0,
                irw_eps=1.5,
                erd_scale=2.0,
                erd_decay=0.05,
                reduction='batchmean',
                loss_weight=1.0)),
        loss_forward_mappings=dict(
            loss_ldrld=dict(
                preds_S=dict(from_student=True, recorder='fc'),
                preds_T=dict(from_student=False, recorder='fc')))))
