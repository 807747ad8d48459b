# KD baseline on ImageNet-1K: ResNet-34 (teacher) -> ResNet-18 (student).
# Hinton et al., "Distilling the Knowledge in a Neural Network", 2015;
# the setting of DKD/SDD/RLD's ImageNet tables: T=1, CE weight 1,
# KD weight 1, 100 epochs, 8 GPUs x 64 images.
# Loss: mmrazor's own KLDivergence (reduction='batchmean').
from mmengine.config import read_base

with read_base():
    from ._base_.datasets.imagenet_bs64 import *  # noqa: F401,F403
    from ._base_.schedules.imagenet_100e import *  # noqa: F401,F403
    from ._base_.distill_runtime import *  # noqa: F401,F403
    from ._base_.models.imagenet.resnet18 import model as student
    from ._base_.models.imagenet.resnet34 import model as teacher

# mmpretrain's published ResNet-34 (73.62 top-1); set a local path to use a
# downloaded copy: --cfg-options model.teacher_ckpt=/path/to/resnet34.pth
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
            loss_kd=dict(
                type='KLDivergence',
                tau=1,
                loss_weight=1,
                reduction='batchmean')),
        loss_forward_mappings=dict(
            loss_kd=dict(
                preds_S=dict(from_student=True, recorder='fc'),
                preds_T=dict(from_student=False, recorder='fc')))))
