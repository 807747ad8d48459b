# loss_forward_mappings of the logit losses: the recorded logits of the
# student and of the teacher (the `fc` recorders of the pair configs), and
# the labels (the second input of the student's head.loss_module). The
# method configs import what they use and delete it.
logits = dict(
    preds_S=dict(from_student=True, recorder='fc'),
    preds_T=dict(from_student=False, recorder='fc'))
logits_labels = dict(
    logits,
    gt_labels=dict(recorder='gt_labels', from_student=True, data_idx=1))
regions_labels = dict(
    preds_S=dict(from_student=True, recorder='regions'),
    preds_T=dict(from_student=False, recorder='regions'),
    gt_labels=dict(recorder='gt_labels', from_student=True, data_idx=1))
