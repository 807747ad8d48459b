# AEKT (Park & Lee, "Adaptive Explicit Knowledge Transfer for Knowledge
# Distillation", arXiv 2409.01679) -- RECONSTRUCTED from the paper's
# description (abstract and summary only, the exact equations are not
# available); every choice is a parameter, see docs/methods/aekt.md:
#   loss = alpha * r * TCKD + beta * NCKD on the student's distillation
#          logits (head.fc), r = stopgrad(min(q_y / p_y, ratio_max));
#   head = SerialClsHead: CE and prediction use ser(fc(x)), ser a CxC layer
#          initialised to the identity; fold it away after training with
#          tools/fold_serial_head.py.
# The paper's hyper-parameters are not available: T, beta and the loss
# warm-up are those of DKD on the same pair (BY ANALOGY: AEKT re-weights
# DKD's two terms), applied by the leaf config; alpha=1; ratio_max=10 is the
# reconstruction's default.
from mmengine.config import read_base

from mmkd_logits.models import AEKTLoss, SerialClsHead

with read_base():
    from .mappings import logits_labels

method = dict(
    # the student's head gets the task-serialization layer (identity init)
    architecture=dict(head=dict(type=SerialClsHead)),
    distiller=dict(
        distill_losses=dict(
            loss_aekt=dict(
                type=AEKTLoss,
                alpha=1.0,
                ratio_max=10.0,
                # reconstructed choices (defaults shown):
                detach_ratio=True,
                adaptive=True,
                ratio_tau=None,
                ratio_on='tckd')),
        # head.fc: the DISTILLATION logits (before the serialization
        # layer); CE on the classification logits comes from the head
        loss_forward_mappings=dict(loss_aekt=logits_labels)))
del logits_labels
