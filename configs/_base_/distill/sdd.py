# What SD-KD and SD-DKD share (Wei et al., "Scale Decoupled Distillation",
# CVPR 2024; github.com/shicaiwei123/SDD-CVPR2024): the multi-scale region
# logits and the SDDLoss wiring. The backbone's final map (its last output)
# is pooled adaptively to a 4x4 grid, then to each scale of M, and every
# region is classified by the model's own head.fc -> [B, K, N]; regions
# where exactly one of the teacher's global and local predictions is right
# (complementary) are weighted 2. M = (1, 2, 4) (N = 21), the authors'
# setting for cross-family pairs; same-family pair configs set M = (1, 2)
# on both recorders. sdd_kd.py / sdd_dkd.py choose the per-region loss.
from mmengine.config import read_base

with read_base():
    from .skeleton import *  # noqa: F401,F403

regions = dict(
    type='MultiScaleLogits',
    source='backbone',
    fc='head.fc',
    scales=(1, 2, 4),
    base_grid=4)
distill.distiller.student_recorders.pop('fc')  # noqa: F405
distill.distiller.student_recorders.regions = dict(regions)  # noqa: F405
distill.distiller.teacher_recorders = dict(regions=dict(regions))  # noqa
distill.distiller.distill_losses = dict(  # noqa: F405
    loss_sdd=dict(type='SDDLoss', complementary_weight=2.0))
distill.distiller.loss_forward_mappings = dict(  # noqa: F405
    loss_sdd=dict(
        preds_S=dict(from_student=True, recorder='regions'),
        preds_T=dict(from_student=False, recorder='regions'),
        gt_labels=logit_label_mapping.gt_labels))  # noqa: F405
