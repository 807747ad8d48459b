# SD-KD on ImageNet-1K: ResNet-34 (teacher) -> ResNet-18 (student).
# Wei et al., "Scale Decoupled Distillation", CVPR 2024 (arXiv:2403.13512):
# multi-scale region logits with scales M=(1, 2) (5 regions, pooled from a
# 4x4 grid of the final 7x7 map, as the authors' code does), KD with T=4 on
# every region, complementary regions weighted 2; distillation weight 0.9,
# student CE weight 0.1, no warm-up.
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

# student cross-entropy weight 0.1
student['head']['loss']['loss_weight'] = 0.1

# region logits [B, 1000, 5]: the backbone's last output (7x7 map) pooled
# per region and classified by the model's own head.fc
regions = dict(
    type='MultiScaleLogits',
    source='backbone',
    fc='head.fc',
    scales=(1, 2),
    base_grid=4)

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
            regions=regions,
            gt_labels=dict(type='ModuleInputs', source='head.loss_module')),
        teacher_recorders=dict(regions=regions),
        distill_losses=dict(
            loss_sdd=dict(
                type='SDDLoss',
                base='kd',
                tau=4.0,
                complementary_weight=2.0,
                loss_weight=0.9)),
        loss_forward_mappings=dict(
            loss_sdd=dict(
                preds_S=dict(from_student=True, recorder='regions'),
                preds_T=dict(from_student=False, recorder='regions'),
                gt_labels=dict(
                    recorder='gt_labels', from_student=True, data_idx=1)))))
