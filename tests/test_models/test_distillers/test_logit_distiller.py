"""LogitDistiller: every config mistake raises at build, naming it; the
warm-up, the returned terms and the value checks of one step."""
import copy

import pytest
import torch
from mmengine.logging import MessageHub
from mmpretrain.models import (ClsDataPreprocessor, CrossEntropyLoss,
                               GlobalAveragePooling, ImageClassifier,
                               LinearClsHead, ResNet)
from mmpretrain.structures import DataSample
from mmrazor.registry import MODELS

import mmkd_logits  # noqa: F401
from mmkd_logits.models import (DKDLoss, KDLoss, LDRLDLoss, LogitDistiller,
                                SingleTeacherDistill)
from mmkd_logits.utils import ConfigError

pytestmark = pytest.mark.usefixtures('one_thread')


def _classifier(depth: int, classes: int = 10) -> dict:
    return dict(
        type=ImageClassifier,
        backbone=dict(
            type=ResNet, depth=depth, base_channels=8, out_indices=(3, )),
        neck=dict(type=GlobalAveragePooling),
        head=dict(
            type=LinearClsHead,
            num_classes=classes,
            in_channels=64,
            loss=dict(type=CrossEntropyLoss)))


LOGITS = dict(
    preds_S=dict(from_student=True, recorder='fc'),
    preds_T=dict(from_student=False, recorder='fc'))
LABELS = dict(recorder='gt_labels', from_student=True, data_idx=1)


def _model(**distiller) -> dict:
    cfg = dict(
        type=LogitDistiller,
        student_recorders=dict(
            fc=dict(type='ModuleOutputs', source='head.fc'),
            gt_labels=dict(type='ModuleInputs', source='head.loss_module')),
        teacher_recorders=dict(
            fc=dict(type='ModuleOutputs', source='head.fc')),
        distill_losses=dict(loss_dkd=dict(type=DKDLoss, tau=2.0, beta=2.0)),
        loss_forward_mappings=dict(loss_dkd=dict(LOGITS, gt_labels=LABELS)),
        allow_random_teacher=True)
    cfg.update(distiller)
    return dict(
        type=SingleTeacherDistill,
        data_preprocessor=dict(
            type=ClsDataPreprocessor, mean=[128.] * 3, std=[64.] * 3),
        architecture=_classifier(18),
        teacher=_classifier(18),
        distiller=cfg)


def _build(**distiller):
    return MODELS.build(_model(**distiller))


def _error(**distiller) -> str:
    with pytest.raises(ConfigError) as err:
        _build(**distiller)
    return str(err.value)


# ------------------------------------------------ mistakes at build time
def test_unknown_loss_argument_names_entry_key_and_closest_match():
    msg = _error(
        distill_losses=dict(loss_ldrld=dict(type=LDRLDLoss, topK=7)),
        loss_forward_mappings=dict(loss_ldrld=LOGITS))
    assert "distill_losses.loss_ldrld: 'topK' is not an argument of " \
        'LDRLDLoss' in msg
    assert 'did you mean: topk' in msg and 'erd_decay' in msg  # accepted


def test_unknown_mapping_key():
    msg = _error(
        loss_forward_mappings=dict(
            loss_dkd=dict(
                preds_s=LOGITS['preds_S'],
                preds_T=LOGITS['preds_T'],
                gt_labels=LABELS)))
    assert "loss_forward_mappings.loss_dkd: 'preds_s' is not an argument " \
        'of DKDLoss(preds_S, preds_T, gt_labels)' in msg
    assert 'did you mean: preds_S' in msg


def test_unmapped_required_argument():
    msg = _error(loss_forward_mappings=dict(loss_dkd=LOGITS))
    assert "needs 'gt_labels', which is not mapped" in msg


def test_loss_without_mapping_and_mapping_without_loss():
    msg = _error(
        distill_losses=dict(loss_kd=dict(type=KDLoss)),
        loss_forward_mappings=dict(loss_k=LOGITS))
    assert "there is no loss 'loss_k' in distill_losses" in msg
    assert 'did you mean: loss_kd' in msg
    msg = _error(
        distill_losses=dict(
            loss_kd=dict(type=KDLoss), loss_kd2=dict(type=KDLoss)),
        loss_forward_mappings=dict(loss_kd=LOGITS))
    assert 'distill_losses.loss_kd2 has no entry in loss_forward_mappings' \
        in msg


def test_mapping_to_an_unknown_recorder():
    bad = dict(LOGITS, preds_T=dict(from_student=False, recorder='logits'))
    msg = _error(
        loss_forward_mappings=dict(loss_dkd=dict(bad, gt_labels=LABELS)))
    assert "preds_T.recorder: 'logits' is not in teacher_recorders (fc)" \
        in msg


def test_recorder_source_not_in_the_model_suggests_names():
    msg = _error(
        teacher_recorders=dict(
            fc=dict(type='ModuleOutputs', source='head.fcc')))
    assert "teacher_recorders.fc: source 'head.fcc' is not a module of the " \
        'teacher' in msg
    assert 'did you mean: head.fc' in msg


def test_class_counts_differ():
    cfg = _model()
    cfg['teacher'] = _classifier(18, classes=12)
    with pytest.raises(
            ConfigError,
            match='the student has 10 classes but '
            'the teacher has 12'):
        MODELS.build(cfg)


def test_random_teacher_refused_unless_allowed():
    msg = _error(allow_random_teacher=False)
    assert 'model.teacher_ckpt is not set' in msg
    assert 'allow_random_teacher=True' in msg


@pytest.mark.parametrize('warmup, phrase', [
    (dict(epoch=20), 'warmup.epoch is not a warm-up option'),
    (dict(epochs=-1), 'epochs must be a number >= 0'),
    (dict(epochs=1, by_epoch='no'), 'by_epoch must be True or False'),
    (20, 'must be a dict like dict(epochs=20)'),
])
def test_bad_warmup(warmup, phrase):
    assert phrase in _error(warmup=warmup)


def test_all_problems_in_one_error_and_not_an_assert():
    err = None
    try:
        _build(
            loss_forward_mappings=dict(
                loss_dkd=dict(preds_s=LOGITS['preds_S'])))
    except ConfigError as e:  # a real exception: survives python -O
        err = e
    assert err is not None and isinstance(err, ValueError)
    # preds_s unknown; preds_S, preds_T, gt_labels unmapped
    assert len(err.problems) == 4


# ---------------------------------------------------------------- a step
def _batch():
    g = torch.Generator().manual_seed(0)
    inputs = [
        torch.randint(0, 256, (3, 32, 32), generator=g, dtype=torch.uint8)
        for _ in range(4)
    ]
    samples = [DataSample().set_gt_label(i) for i in (1, 3, 3, 7)]
    return dict(inputs=inputs, data_samples=samples)


def _losses(algo):
    data = algo.data_preprocessor(_batch(), True)
    return algo(**data, mode='loss')


def _hub(epoch=None, it=None, max_iters=None, max_epochs=None):
    hub = MessageHub.get_current_instance()
    for key, value in dict(
            epoch=epoch, iter=it, max_iters=max_iters,
            max_epochs=max_epochs).items():
        hub.runtime_info.pop(key, None)
        if value is not None:
            hub.update_info(key, value)


def test_returns_terms_factor_and_teacher_top1_as_non_loss_keys():
    torch.manual_seed(0)
    algo = _build(warmup=dict(epochs=4))
    algo.train()
    _hub(epoch=0)  # 1-based epoch 1 of 4: factor 0.25
    out = _losses(algo)
    assert set(out) == {
        'student.loss', 'distill.loss_dkd', 'distill.dkd.tckd',
        'distill.dkd.nckd', 'distill.warmup_factor', 'distill.teacher_top1'
    }
    # mmengine sums exactly the keys that contain 'loss'
    assert [k for k in out
            if 'loss' in k] == ['student.loss', 'distill.loss_dkd']
    assert float(out['distill.warmup_factor']) == 0.25
    torch.testing.assert_close(
        out['distill.dkd.tckd'] + out['distill.dkd.nckd'],
        out['distill.loss_dkd'].detach())
    unscaled = algo.distiller.distill_losses['loss_dkd'].compute(
        algo.distiller.get_record('fc', True),
        algo.distiller.get_record('fc', False),
        algo.distiller.get_record('gt_labels', True, data_idx=1)).loss
    torch.testing.assert_close(out['distill.loss_dkd'], 0.25 * unscaled)
    teacher = algo.distiller.get_record('fc', False).argmax(-1)
    expected = (teacher == torch.tensor([1, 3, 3, 7])).float().mean() * 100
    torch.testing.assert_close(out['distill.teacher_top1'], expected)
    assert not any(v.requires_grad for k, v in out.items() if 'loss' not in k)


@pytest.mark.parametrize('epoch, factor', [(0, 1 / 20), (1, 2 / 20),
                                           (18, 19 / 20), (19, 1.0),
                                           (20, 1.0)])
def test_warmup_by_epoch(epoch, factor):
    distiller = _build(warmup=dict(epochs=20)).distiller
    _hub(epoch=epoch, it=epoch * 7)
    assert distiller.warmup_factor() == pytest.approx(factor)


def test_warmup_by_iteration_ramps_over_the_first_epochs():
    distiller = _build(warmup=dict(epochs=2, by_epoch=False)).distiller
    for it, factor in ((0, 1 / 20), (9, 10 / 20), (19, 1.0), (25, 1.0)):
        _hub(epoch=it // 10, it=it, max_iters=100, max_epochs=10)
        assert distiller.warmup_factor() == pytest.approx(factor)


def test_no_warmup_outside_a_runner():
    distiller = _build(warmup=dict(epochs=20)).distiller
    _hub()
    assert distiller.warmup_factor() == 1.0


def test_values_checked_on_the_first_step_and_every_check_interval():
    torch.manual_seed(0)
    algo = _build(check_interval=3)
    algo.train()
    bad = copy.deepcopy(algo.teacher.head.fc)
    torch.nn.init.constant_(bad.bias, float('nan'))
    algo.teacher.head.fc.bias.data.copy_(bad.bias)  # NaN teacher logits
    with pytest.raises(ValueError, match='preds_T contains 40 non-finite'):
        _losses(algo)  # step 0: checked
    out = _losses(algo)  # step 1: not checked, the NaN flows into the loss
    assert torch.isnan(out['distill.loss_dkd'])  # NonFiniteLossHook's job
    _losses(algo)  # step 2
    with pytest.raises(ValueError, match='non-finite'):
        _losses(algo)  # step 3: checked again


def test_steps_between_checks_do_not_read_the_device():
    from tests.test_models.test_losses.test_base_logit_loss import _NoSync
    torch.manual_seed(0)
    algo = _build(warmup=dict(epochs=20), check_interval=100)
    algo.train()
    _losses(algo)  # step 0 checks values
    _hub(epoch=3)
    data = algo.data_preprocessor(_batch(), True)
    with algo.distiller.student_recorders, algo.distiller.teacher_recorders:
        algo.student(**data, mode='loss')
        with torch.no_grad():
            algo.teacher(**data, mode='loss')
        with _NoSync():
            out = algo.distiller.compute_distill_losses()
    assert torch.isfinite(out['loss_dkd'])
