"""``mmkd_logits.apis.student``: folding a ``SerialClsHead``.

Folding ``ser∘fc`` of a ``SerialClsHead`` into one linear layer must give a
plain ``LinearClsHead`` model with the same logits as the unfolded student,
from a student or a distillation checkpoint; the output must load with
``torch.load(weights_only=True)`` and be usable by mmpretrain's own
``ImageClassificationInferencer`` with the written config.
"""
import numpy as np
import pytest
import torch
from mmpretrain.registry import MODELS as PRETRAIN_MODELS
from mmpretrain.structures import DataSample

from mmkd_logits.apis import student as api
from mmkd_logits.apis.checkpoint_io import trust_checkpoints
from mmkd_logits.compat import UntrustedCheckpointError
from mmkd_logits.compat.checkpoint import reset_trust

NUM_CLASSES = 5
PREPROCESSOR = dict(
    type='mmpretrain.ClsDataPreprocessor',
    num_classes=NUM_CLASSES,
    mean=[120.0, 110.0, 100.0],
    std=[60.0, 55.0, 50.0],
    to_rgb=True)


def classifier(head_type: str) -> dict:
    return dict(
        _scope_='mmpretrain',
        type='ImageClassifier',
        backbone=dict(
            type='ResNet_CIFAR', depth=18, num_stages=4, out_indices=(3, )),
        neck=dict(type='GlobalAveragePooling'),
        head=dict(
            type=head_type,
            num_classes=NUM_CLASSES,
            in_channels=512,
            loss=dict(type='CrossEntropyLoss', loss_weight=1.0)))


@pytest.fixture(scope='module')
def student():
    """A SerialClsHead student with a non-trivial serialization layer."""
    torch.manual_seed(0)
    model = PRETRAIN_MODELS.build(
        dict(classifier('SerialClsHead'), data_preprocessor=PREPROCESSOR))
    model.init_weights()
    with torch.no_grad():
        model.head.fc.weight.normal_(std=0.1)
        model.head.fc.bias.normal_()
        model.head.ser.weight.add_(torch.randn(NUM_CLASSES, NUM_CLASSES))
        model.head.ser.bias.normal_()
    return model.eval()


def runner_like_checkpoint(state_dict, message_hub: bool = False) -> dict:
    """What mmengine's runner writes: meta with numpy values (+ message hub).

    A message hub with a filled ``HistoryBuffer`` needs full unpickling
    (the weights-only loader refuses it), so it is only added on request.
    """
    ckpt = dict(
        meta=dict(
            epoch=np.int64(3),
            iter=12,
            seed=np.int64(7),
            dataset_meta=dict(classes=[f'c{i}' for i in range(NUM_CLASSES)]),
            hist=np.arange(3)),
        state_dict=state_dict,
        optimizer=dict(state={}, param_groups=[]))
    if message_hub:
        from mmengine.logging import HistoryBuffer
        buffer = HistoryBuffer()
        buffer.update(1.5)
        ckpt['message_hub'] = dict(log_scalars=dict(loss=buffer))
    return ckpt


def folded_logits(ckpt_path: str, x: torch.Tensor) -> torch.Tensor:
    ckpt = torch.load(ckpt_path, map_location='cpu', weights_only=True)
    plain = PRETRAIN_MODELS.build(classifier('LinearClsHead'))
    plain.load_state_dict(ckpt['state_dict'], strict=True)
    with torch.no_grad():
        return plain.eval()(x, mode='tensor')


def test_fold_state_dict_formula():
    g = torch.Generator().manual_seed(1)
    w_fc, b_fc = torch.randn(3, 4, generator=g), torch.randn(3, generator=g)
    w_ser, b_ser = torch.randn(3, 3, generator=g), torch.randn(3, generator=g)
    sd = {
        'backbone.w': torch.ones(2),
        'head.fc.weight': w_fc,
        'head.fc.bias': b_fc,
        'head.ser.weight': w_ser,
        'head.ser.bias': b_ser
    }
    out = api.fold_serial_head(sd)
    assert list(out) == ['backbone.w', 'head.fc.weight', 'head.fc.bias']
    x = torch.randn(6, 4, generator=g)
    ref = (x @ w_fc.T + b_fc) @ w_ser.T + b_ser
    torch.testing.assert_close(
        x @ out['head.fc.weight'].T + out['head.fc.bias'], ref)
    assert out['head.fc.weight'].dtype == torch.float32
    # a serialization layer without bias
    del sd['head.ser.bias']
    out = api.fold_serial_head(sd)
    torch.testing.assert_close(out['head.fc.bias'], w_ser @ b_fc)


@pytest.mark.parametrize('kind', ['student', 'distill'])
def test_folded_logits_equal_unfolded(student, tmp_path, kind):
    sd = student.state_dict()
    if kind == 'distill':
        teacher = PRETRAIN_MODELS.build(classifier('LinearClsHead'))
        sd = {
            **{
                f'architecture.{k}': v
                for k, v in sd.items()
            },
            **{
                f'teacher.{k}': v
                for k, v in teacher.state_dict().items()
            }, 'distiller.some_buffer': torch.zeros(1)
        }
    src, dst = tmp_path / 'in.pth', tmp_path / 'out' / 'folded.pth'
    torch.save(runner_like_checkpoint(sd), src)
    api.fold_checkpoint(str(src), str(dst))

    ckpt = torch.load(dst, map_location='cpu', weights_only=True)
    assert set(ckpt) == {'state_dict', 'meta'}
    keys = set(ckpt['state_dict'])
    assert not any(
        k.startswith(('teacher.', 'architecture.', 'distiller.', 'head.ser.'))
        for k in keys)
    meta = ckpt['meta']
    assert meta['epoch'] == 3 and type(meta['epoch']) is int
    assert meta['dataset_meta']['classes'][0] == 'c0'
    assert 'hist' not in meta  # a numpy array is not plain data
    assert meta['num_classes'] == NUM_CLASSES
    assert meta['head_type'] == 'LinearClsHead'
    assert not list(dst.parent.glob('.*tmp'))  # no temp file left behind

    x = torch.randn(3, 3, 16, 16)
    with torch.no_grad():
        expected = student(x, mode='tensor')
    torch.testing.assert_close(
        folded_logits(str(dst), x), expected, rtol=1e-5, atol=1e-5)


def test_errors(student, tmp_path):
    plain = PRETRAIN_MODELS.build(classifier('LinearClsHead'))
    src = tmp_path / 'plain.pth'
    torch.save({'state_dict': plain.state_dict()}, src)
    with pytest.raises(
            api.ExportError, match='not a student with a SerialCls'):
        api.fold_checkpoint(str(src), str(tmp_path / 'x.pth'))
    teacher_only = {f'teacher.{k}': v for k, v in plain.state_dict().items()}
    with pytest.raises(api.ExportError, match='no student'):
        api.extract_student(teacher_only)
    bad = dict(student.state_dict())
    bad['head.ser.weight'] = torch.eye(NUM_CLASSES + 1)
    with pytest.raises(api.ExportError, match=r'\[C, C\]'):
        api.fold_serial_head(bad)
    assert not (tmp_path / 'x.pth').exists()


def test_folded_config_and_mmpretrain_inferencer(student, tmp_path):
    """Checkpoint + training config → folded checkpoint + student config →
    mmpretrain's inferencer gives the unfolded student's scores."""
    sd = {f'architecture.{k}': v for k, v in student.state_dict().items()}
    src = tmp_path / 'epoch_1.pth'
    torch.save(runner_like_checkpoint(sd), src)
    distill = dict(
        _scope_='mmrazor',
        type='SingleTeacherDistill',
        data_preprocessor=PREPROCESSOR,
        architecture=classifier('SerialClsHead'),
        teacher=classifier('LinearClsHead'),
        distiller=dict(type='ConfigurableDistiller'))
    cfg_path = tmp_path / 'aekt_cfg.py'
    cfg_path.write_text(
        'default_scope = "mmpretrain"\n'
        f'model = {distill!r}\n'
        'test_pipeline = [dict(type="PackInputs")]\n'
        'test_dataloader = dict(batch_size=1, dataset=dict('
        'type="CustomDataset", pipeline=test_pipeline))\n'
        'val_cfg = dict(type="mmrazor.SingleTeacherDistillValLoop")\n'
        'custom_hooks = [dict(type="mmkd_logits.engine.TeacherCheckHook"), '
        'dict(type="mmkd_logits.engine.hooks.NonFiniteLossHook")]\n'
        'find_unused_parameters = True\n')
    dst = tmp_path / 'folded.pth'
    out_cfg = tmp_path / 'folded_cfg.py'
    out = api.fold_checkpoint(
        str(src), str(dst), config=str(cfg_path), out_config=str(out_cfg))
    assert out['config'] == str(out_cfg) and dst.exists()

    from mmengine.config import Config
    cfg = Config.fromfile(str(out_cfg))
    assert cfg.model.type == 'ImageClassifier'
    assert cfg.model.head.type == 'LinearClsHead'
    assert cfg.model.data_preprocessor.num_classes == NUM_CLASSES
    # the teacher check needs a teacher; the plugin's other hooks are
    # dropped with the plugin (a ResNet_CIFAR student does not need it)
    assert cfg.custom_hooks == [] and 'find_unused_parameters' not in cfg
    assert 'custom_imports' not in cfg
    assert 'Distill' not in str(cfg.get('val_cfg'))
    assert cfg.load_from == str(dst)

    from mmpretrain.apis import ImageClassificationInferencer
    inferencer = ImageClassificationInferencer(
        model=str(out_cfg), pretrained=str(dst), device='cpu')
    assert type(inferencer.model.head).__name__ == 'LinearClsHead'
    image = np.random.default_rng(0).integers(
        0, 256, (16, 16, 3), dtype=np.uint8)
    result = inferencer(image)[0]
    # the unfolded student on the same input (PackInputs: HWC → CHW)
    inputs = torch.from_numpy(image).permute(2, 0, 1).contiguous()
    with torch.no_grad():
        expected = student.test_step(
            dict(inputs=[inputs], data_samples=[DataSample()]))[0]
    np.testing.assert_allclose(
        result['pred_scores'],
        expected.pred_score.numpy(),
        rtol=1e-4,
        atol=1e-6)
    assert result['pred_label'] == int(expected.pred_label)


def test_missing_and_untrusted_sources(student, tmp_path, monkeypatch):
    monkeypatch.delenv('MMKD_TRUST_CHECKPOINTS', raising=False)
    with pytest.raises(FileNotFoundError, match='missing.pth'):
        api.fold_checkpoint(
            str(tmp_path / 'missing.pth'), str(tmp_path / 'out.pth'))
    # a checkpoint that needs full unpickling: refused unless trusted
    src = tmp_path / 'hub.pth'
    torch.save(runner_like_checkpoint(student.state_dict(), True), src)
    dst = tmp_path / 'out.pth'
    with pytest.raises(UntrustedCheckpointError, match='--trust-checkpoint'):
        api.fold_checkpoint(str(src), str(dst))
    assert not dst.exists()
    trust_checkpoints([str(src)])
    try:
        api.fold_checkpoint(str(src), str(dst))
    finally:
        reset_trust()
    x = torch.randn(2, 3, 16, 16)
    with torch.no_grad():
        expected = student(x, mode='tensor')
    torch.testing.assert_close(
        folded_logits(str(dst), x), expected, rtol=1e-5, atol=1e-5)
