"""Tests of ``SerialClsHead`` (AEKT's task-serialization head).

Covers: registration; the identity initialisation surviving mmengine's
``init_weights`` (whose default ``Normal(layer='Linear')`` would otherwise
hit the ``C×C`` layer); exact equality with a plain ``LinearClsHead`` at step
0; ``loss``/``predict`` on the serialized logits while ``head.fc`` (what a
``ModuleOutputs`` recorder catches) stays the distillation logits; and one
``SingleTeacherDistill`` training step with ``AEKTLoss`` on generated data.
"""
import copy

import pytest
import torch
import torch.nn.functional as F
from mmengine.optim import OptimWrapper
from mmpretrain.registry import MODELS as PRETRAIN_MODELS
from mmpretrain.structures import DataSample
from mmrazor.registry import MODELS as RAZOR_MODELS

import mmkd_logits  # noqa: F401
from mmkd_logits.models.heads import SerialClsHead, SerializationLayer

NUM_CLASSES = 4


def classifier(head_type: str, depth: int = 18, **head_kwargs) -> dict:
    return dict(
        _scope_='mmpretrain',
        type='ImageClassifier',
        backbone=dict(
            type='ResNet_CIFAR', depth=depth, num_stages=4, out_indices=(3, )),
        neck=dict(type='GlobalAveragePooling'),
        head=dict(
            type=head_type,
            num_classes=NUM_CLASSES,
            in_channels=512,
            loss=dict(type='CrossEntropyLoss', loss_weight=1.0),
            **head_kwargs))


def samples(labels):
    return [DataSample().set_gt_label(int(i)) for i in labels]


def randomise_ser(head: SerialClsHead, seed: int = 0) -> None:
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        head.ser.weight.copy_(torch.randn(head.ser.weight.shape, generator=g))
        head.ser.bias.copy_(torch.randn(head.ser.bias.shape, generator=g))


def test_registered_and_is_linear_cls_head():
    from mmpretrain.models.heads import LinearClsHead
    head = PRETRAIN_MODELS.build(
        dict(type='SerialClsHead', num_classes=5, in_channels=8))
    assert isinstance(head, SerialClsHead)
    assert isinstance(head, LinearClsHead)
    assert isinstance(head.ser, SerializationLayer)
    assert tuple(head.ser.weight.shape) == (5, 5)
    no_bias = SerialClsHead(num_classes=5, in_channels=8, ser_bias=False)
    assert no_bias.ser.bias is None


@pytest.mark.parametrize('init_cfg', [
    'default',
    dict(type='Normal', layer='Linear', std=0.5),
    [dict(type='Constant', layer='Linear', val=3.0)],
    None,
])
def test_identity_survives_init_weights(init_cfg):
    kwargs = {} if init_cfg == 'default' else dict(init_cfg=init_cfg)
    head = SerialClsHead(num_classes=6, in_channels=8, **kwargs)
    with torch.no_grad():  # whatever was there before init_weights
        head.ser.weight.normal_()
        head.ser.bias.normal_()
    head.init_weights()
    assert torch.equal(head.ser.weight, torch.eye(6))
    assert torch.equal(head.ser.bias, torch.zeros(6))
    if init_cfg == 'default':  # fc still gets LinearClsHead's Normal init
        assert 0.005 < float(head.fc.weight.std()) < 0.02


def test_identity_in_full_model_init():
    model = PRETRAIN_MODELS.build(classifier('SerialClsHead'))
    model.init_weights()
    assert torch.equal(model.head.ser.weight, torch.eye(NUM_CLASSES))
    assert torch.equal(model.head.ser.bias, torch.zeros(NUM_CLASSES))


def test_step0_equals_plain_head():
    torch.manual_seed(0)
    serial = PRETRAIN_MODELS.build(classifier('SerialClsHead'))
    serial.init_weights()
    plain = PRETRAIN_MODELS.build(classifier('LinearClsHead'))
    state = {
        k: v
        for k, v in serial.state_dict().items()
        if not k.startswith('head.ser.')
    }
    plain.load_state_dict(state)
    serial.eval()
    plain.eval()
    x = torch.randn(3, 3, 16, 16)
    with torch.no_grad():
        out_s = serial(x, mode='tensor')
        out_p = plain(x, mode='tensor')
        assert torch.equal(out_s, out_p)
        pred_s = serial(x, samples([0, 1, 2]), mode='predict')
        pred_p = plain(x, samples([0, 1, 2]), mode='predict')
    for a, b in zip(pred_s, pred_p):
        assert torch.equal(a.pred_label, b.pred_label)
        assert torch.equal(a.pred_score, b.pred_score)
    loss_s = serial(x, samples([0, 1, 2]), mode='loss')['loss']
    loss_p = plain(x, samples([0, 1, 2]), mode='loss')['loss']
    assert torch.equal(loss_s, loss_p)


def test_loss_and_predict_use_serialized_logits():
    head = SerialClsHead(num_classes=NUM_CLASSES, in_channels=8)
    head.init_weights()
    randomise_ser(head)
    feats = (torch.randn(5, 8), )
    labels = torch.tensor([0, 1, 2, 3, 1])
    zk = head.fc(feats[-1])
    zc = head.ser(zk)
    assert torch.equal(head.distill_logits(feats), zk)
    assert torch.equal(head(feats), zc)
    assert not torch.allclose(zk, zc)
    loss = head.loss(feats, samples(labels))['loss']
    torch.testing.assert_close(loss, F.cross_entropy(zc, labels))
    preds = head.predict(feats)
    torch.testing.assert_close(
        torch.stack([p.pred_score for p in preds]), F.softmax(zc, dim=1))
    assert [int(p.pred_label) for p in preds] == zc.argmax(1).tolist()


def test_fc_recorder_catches_distillation_logits():
    # imported here: mmrazor.models needs mmkd_logits' compat layer first
    from mmrazor.models.task_modules import ModuleOutputsRecorder
    head = SerialClsHead(num_classes=NUM_CLASSES, in_channels=8)
    head.init_weights()
    randomise_ser(head)
    recorder = ModuleOutputsRecorder(source='fc')
    recorder.initialize(head)
    feats = (torch.randn(2, 8), )
    with recorder:
        out = head(feats)
    recorded = recorder.get_record_data()
    assert torch.equal(recorded, head.fc(feats[-1]))
    assert torch.equal(out, head.ser(recorded))


def distill_cfg() -> dict:
    return dict(
        _scope_='mmrazor',
        type='SingleTeacherDistill',
        data_preprocessor=dict(
            type='mmpretrain.ClsDataPreprocessor', num_classes=NUM_CLASSES),
        architecture=classifier('SerialClsHead'),
        teacher=classifier('LinearClsHead'),
        distiller=dict(
            type='ConfigurableDistiller',
            student_recorders=dict(
                fc=dict(type='ModuleOutputs', source='head.fc'),
                gt_labels=dict(type='ModuleInputs',
                               source='head.loss_module')),
            teacher_recorders=dict(
                fc=dict(type='ModuleOutputs', source='head.fc')),
            distill_losses=dict(
                loss_aekt=dict(type='AEKTLoss', tau=1, beta=0.5)),
            loss_forward_mappings=dict(
                loss_aekt=dict(
                    preds_S=dict(from_student=True, recorder='fc'),
                    preds_T=dict(from_student=False, recorder='fc'),
                    gt_labels=dict(
                        recorder='gt_labels', from_student=True,
                        data_idx=1)))))


def test_single_teacher_distill_train_step():
    torch.manual_seed(0)
    model = RAZOR_MODELS.build(distill_cfg())
    model.init_weights()
    head = model.architecture.head
    assert isinstance(head, SerialClsHead)
    data = dict(
        inputs=[
            torch.randint(0, 256, (3, 16, 16), dtype=torch.uint8)
            for _ in range(2)
        ],
        data_samples=samples([1, 3]))
    optim = OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.1))
    ser_before = copy.deepcopy(head.ser.state_dict())
    fc_before = head.fc.weight.detach().clone()
    teacher_before = model.teacher.head.fc.weight.detach().clone()
    logs = model.train_step(data, optim)
    assert set(logs) >= {'loss', 'student.loss', 'distill.loss_aekt'}
    assert all(torch.isfinite(v) for v in logs.values())
    assert float(logs['distill.loss_aekt']) > 0
    # both layers of the head learn; the teacher does not
    assert not torch.equal(head.ser.weight, ser_before['weight'])
    assert not torch.equal(head.fc.weight, fc_before)
    assert torch.equal(model.teacher.head.fc.weight, teacher_before)


def test_teacher_class_count_mismatch_is_clear():
    cfg = distill_cfg()
    cfg['teacher']['head']['num_classes'] = NUM_CLASSES + 2
    model = RAZOR_MODELS.build(cfg)
    model.init_weights()
    data = dict(
        inputs=[torch.zeros(3, 16, 16, dtype=torch.uint8)] * 2,
        data_samples=samples([0, 1]))
    optim = OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.1))
    with pytest.raises(ValueError, match='SerialClsHead.*num_classes'):
        model.train_step(data, optim)
