# SD-KD (Wei et al., "Scale Decoupled Distillation", CVPR 2024;
# github.com/shicaiwei123/SDD-CVPR2024): KD on every region logit. The
# backbone's final map is pooled adaptively to a 4x4 grid, then to each
# scale of M, and every region is classified by the model's own head.fc ->
# [B, K, N]; regions where exactly one of the teacher's global and local
# predictions is right (complementary) weigh 2. The authors' SDD_KD uses
# mdistiller's KD defaults on every dataset, ImageNet included: T=4, KD
# weight 0.9, student CE weight 0.1, no warm-up. The scales M are the
# pair's, applied by the leaf config. The SDD trainer clips the student's
# gradient to an L2 norm of 40 before every step (its train loop's
# clip_grad_norm_(..., max_norm=40)), on CIFAR-100 and ImageNet.
from mmengine.config import read_base

from mmkd_logits.models import SDDLoss

with read_base():
    from .mappings import regions_labels

method = dict(
    architecture=dict(head=dict(loss=dict(loss_weight=0.1))),
    distiller=dict(
        student_recorders=dict(
            regions=dict(type='MultiScaleLogits', source='backbone')),
        teacher_recorders=dict(
            regions=dict(type='MultiScaleLogits', source='backbone')),
        distill_losses=dict(
            loss_sdd=dict(
                type=SDDLoss,
                base='kd',
                tau=4.0,
                complementary_weight=2.0,
                loss_weight=0.9)),
        loss_forward_mappings=dict(loss_sdd=regions_labels)))
# the SDD trainer's clip_grad_norm_(student parameters, max_norm=40)
clip_grad = dict(max_norm=40, norm_type=2)
del regions_labels
