# AEKT (Park & Lee, "Adaptive Explicit Knowledge Transfer for Knowledge
# Distillation", arXiv 2409.01679) -- RECONSTRUCTED from the paper's
# description (abstract and summary only, the exact equations are not
# available); every choice is a parameter, see docs/methods/aekt.md and METHODS.md:
#   loss = alpha * r * TCKD + beta * NCKD on the student's distillation
#          logits (head.fc), r = stopgrad(min(q_y / p_y, ratio_max));
#   head = SerialClsHead: CE and prediction use ser(fc(x)), ser a CxC layer
#          initialised to the identity; fold it away after training with
#          tools/fold_serial_head.py.
# The paper's hyper-parameters are not available: T, alpha, beta and the
# loss warm-up are those of DKD on the same pair (BY ANALOGY: AEKT
# re-weights DKD's two terms), i.e. T=4, alpha=1, beta=8 (the pair configs
# set the pair's DKD beta), warm-up 20 epochs; ratio_max=10 is the
# reconstruction's default.
from mmengine.config import read_base

with read_base():
    from .skeleton import *  # noqa: F401,F403

# the student's head gets the task-serialization layer (identity init)
distill.architecture = dict(head=dict(type='SerialClsHead'))  # noqa: F405
distill.distiller.distill_losses = dict(  # noqa: F405
    loss_aekt=dict(
        dkd_settings,  # noqa: F405
        type='AEKTLoss',
        ratio_max=10.0,
        # reconstructed choices (defaults shown):
        detach_ratio=True,
        adaptive=True,
        ratio_tau=None,
        ratio_on='tckd'))
# head.fc: the DISTILLATION logits (before the serialization layer); CE on
# the classification logits comes from the head
distill.distiller.loss_forward_mappings = dict(  # noqa: F405
    loss_aekt=logit_label_mapping)  # noqa: F405
custom_hooks = custom_hooks + [warmup_hook]  # noqa: F405
