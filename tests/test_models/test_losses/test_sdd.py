"""Tests of SDDLoss (Scale Decoupled Distillation, arXiv:2403.13512)."""
import pytest
import torch
from mmrazor.registry import MODELS
from torch import nn

import mmkd_logits  # noqa: F401,I001  (compat layer before mmrazor)
from mmkd_logits.models.losses import SDDLoss, sdd_region_weights
from tests.helpers.naive_losses import naive_dkd, naive_kd, naive_ldrld


def _naive_sdd(preds_S, preds_T, y, per_sample, complementary_weight=2.0):
    """Loop per region; the per-sample base loss comes from the naive ones."""
    batch, _, regions = preds_S.shape
    total = 0.0
    for n in range(regions):
        losses = per_sample(preds_S[:, :, n], preds_T[:, :, n], y)
        for b in range(batch):
            glob = int(preds_T[b, :, 0].argmax()) == int(y[b])
            local = int(preds_T[b, :, n].argmax()) == int(y[b])
            weight = complementary_weight if glob != local else 1.0
            total += weight * float(losses[b])
    return total / (regions * batch)


def _inputs(batch=4, classes=6, regions=5, seed=0, dtype=torch.float64):
    g = torch.Generator().manual_seed(seed)
    preds_S = torch.randn(
        batch, classes, regions, generator=g, dtype=dtype) * 2
    preds_T = torch.randn(
        batch, classes, regions, generator=g, dtype=dtype) * 2
    y = torch.randint(0, classes, (batch, ), generator=g)
    # make sure both weights occur: the teacher's global region right for
    # sample 0 and wrong for sample 1
    preds_T[0, y[0], 0] = 10.0
    preds_T[1, y[1], 0] = -10.0
    if regions > 1:
        preds_T[1, y[1], 1] = 10.0
    return preds_S, preds_T, y


def test_region_weights():
    y = torch.tensor([0, 1])
    # [B=2, K=2, N=3]; argmax per region
    preds_T = torch.tensor([
        [[1., 0., 1.], [0., 1., 0.]],  # 0 1 0
        [[1., 0., 1.], [0., 1., 0.]]
    ])  # 0 1 0
    w = sdd_region_weights(preds_T, y, 2.0)
    # sample 0: global right; region 1 wrong -> 2; region 2 right -> 1
    # sample 1: global wrong; region 1 right -> 2; region 2 wrong -> 1
    torch.testing.assert_close(w, torch.tensor([[1., 2., 1.], [1., 2., 1.]]))
    torch.testing.assert_close(
        sdd_region_weights(preds_T, y, 3.5)[:, 1], torch.tensor([3.5, 3.5]))


@pytest.mark.parametrize('tau', [1.0, 4.0])
def test_kd_base_matches_naive(tau):
    preds_S, preds_T, y = _inputs()
    assert (sdd_region_weights(preds_T, y) == 2).any()
    loss = SDDLoss(base='kd', tau=tau)(preds_S, preds_T, y)
    expected = _naive_sdd(preds_S, preds_T, y,
                          lambda s, t, lab: naive_kd(s, t, tau))
    assert loss.item() == pytest.approx(expected, rel=1e-10)


@pytest.mark.parametrize('tau,alpha,beta', [(4.0, 1.0, 8.0), (1.0, 1.0, 0.5)])
def test_dkd_base_matches_naive(tau, alpha, beta):
    preds_S, preds_T, y = _inputs(seed=1)
    loss = SDDLoss(
        base='dkd', tau=tau, alpha=alpha, beta=beta,
        loss_weight=0.7)(preds_S, preds_T, y)
    expected = _naive_sdd(
        preds_S, preds_T, y,
        lambda s, t, lab: naive_dkd(s, t, lab, tau, alpha, beta))
    assert loss.item() == pytest.approx(0.7 * expected, rel=1e-10)


def test_complementary_weight_and_float32():
    preds_S, preds_T, y = _inputs(seed=2)
    expected = _naive_sdd(preds_S, preds_T, y,
                          lambda s, t, lab: naive_kd(s, t, 4.0), 3.0)
    loss = SDDLoss(
        base='kd', complementary_weight=3.0)(preds_S.float(), preds_T.float(),
                                             y)
    assert loss.dtype == torch.float32
    assert loss.item() == pytest.approx(expected, rel=1e-5)
    half = SDDLoss(base='kd')(preds_S.half(), preds_T.half(), y)
    assert half.dtype == torch.float32 and torch.isfinite(half)


def test_ldrld_base_matches_naive():
    preds_S, preds_T, y = _inputs(classes=8, seed=3)
    loss = SDDLoss(base=dict(type='LDRLDLoss', tau=4.0, topk=4))(preds_S,
                                                                 preds_T, y)
    expected = _naive_sdd(preds_S, preds_T, y,
                          lambda s, t, lab: naive_ldrld(s, t, 4.0, topk=4))
    assert loss.item() == pytest.approx(expected, rel=1e-9)


def test_rld_base_gets_labels():
    preds_S, preds_T, y = _inputs(seed=4)
    sdd = SDDLoss(base=dict(type='RLDLoss', tau=4.0))
    assert sdd.base_loss.uses_labels
    rld = MODELS.build(dict(type='RLDLoss', tau=4.0, reduction='none'))
    expected = _naive_sdd(preds_S, preds_T, y,
                          lambda s, t, lab: rld(s, t, lab).detach())
    assert sdd(preds_S, preds_T, y).item() == pytest.approx(
        expected, rel=1e-10)


def test_registry_defaults_and_builtins_in_config():
    loss = MODELS.build(dict(type='SDDLoss'))
    assert loss.base == 'dkd' and loss.tau == 4.0 and loss.beta == 8.0
    assert loss.complementary_weight == 2.0 and loss.loss_weight == 1.0


@pytest.mark.parametrize('base', ['kd', 'dkd'])
def test_gradcheck(base):
    preds_S, preds_T, y = _inputs(batch=2, classes=4, regions=3)
    preds_S.requires_grad_()
    loss = SDDLoss(base=base, tau=2.0, beta=2.0)
    assert torch.autograd.gradcheck(lambda s: loss(s, preds_T, y), (preds_S, ))


def test_teacher_gets_no_gradient():
    preds_S, preds_T, y = _inputs()
    preds_S.requires_grad_()
    preds_T.requires_grad_()
    SDDLoss()(preds_S, preds_T, y).backward()
    assert preds_T.grad is None and preds_S.grad.abs().sum() > 0


def test_single_region_is_plain_dkd():
    preds_S, preds_T, y = _inputs(regions=1)
    loss = SDDLoss(base='dkd')(preds_S, preds_T, y)
    expected = naive_dkd(preds_S[:, :, 0], preds_T[:, :, 0], y, 4.0, 1.0,
                         8.0).mean()
    assert loss.item() == pytest.approx(float(expected), rel=1e-10)


# ------------------------------------------------------------- errors
def test_shape_errors():
    preds_S, preds_T, y = _inputs()
    loss = SDDLoss()
    with pytest.raises(ValueError, match=r'\[B, K, N\]'):
        loss(preds_S[:, :, 0], preds_T[:, :, 0], y)
    with pytest.raises(ValueError, match='differ in shape'):
        loss(preds_S, preds_T[:, :, :3], y)
    with pytest.raises(ValueError, match='differ in shape'):
        loss(preds_S, preds_T[:, :4], y)
    with pytest.raises(ValueError, match='label'):
        loss(preds_S, preds_T, y[:2])
    with pytest.raises(ValueError, match='out of range'):
        loss(preds_S, preds_T, torch.full_like(y, 6))


def test_nan_is_not_hidden():
    preds_S, preds_T, y = _inputs()
    preds_S[1, 2, 3] = float('nan')
    with pytest.raises(ValueError, match='non-finite'):
        SDDLoss()(preds_S, preds_T, y)


def test_bad_bases():
    with pytest.raises(ValueError, match="base must be 'kd', 'dkd'"):
        SDDLoss(base='nkd')
    with pytest.raises(KeyError, match='NoSuchLoss'):
        SDDLoss(base=dict(type='NoSuchLoss'))
    with pytest.raises(ValueError, match='BaseLogitLoss'):
        SDDLoss(base=dict(type='KLDivergence'))
    with pytest.raises(ValueError, match='BaseLogitLoss'):
        SDDLoss(base=nn.Linear(2, 2))
    with pytest.raises(ValueError):
        SDDLoss(tau=0)


# ------------------------------------------------ mmrazor train step
def _classifier(depth: int, classes: int = 4) -> dict:
    return dict(
        _scope_='mmpretrain',
        type='ImageClassifier',
        backbone=dict(
            type='ResNet', depth=depth, base_channels=8, out_indices=(3, )),
        neck=dict(type='GlobalAveragePooling'),
        head=dict(
            type='LinearClsHead',
            num_classes=classes,
            in_channels=64,
            loss=dict(type='CrossEntropyLoss', loss_weight=1.0)))


def _sdd_distill(base='dkd', scales=(1, 2)) -> dict:
    regions = dict(
        type='MultiScaleLogits',
        source='backbone',
        fc='head.fc',
        scales=scales)
    return dict(
        _scope_='mmrazor',
        type='SingleTeacherDistill',
        data_preprocessor=dict(
            type='mmpretrain.ClsDataPreprocessor',
            mean=[128.] * 3,
            std=[64.] * 3,
            to_rgb=True),
        architecture=_classifier(18),
        teacher=_classifier(34),
        distiller=dict(
            type='ConfigurableDistiller',
            student_recorders=dict(
                regions=regions,
                gt_labels=dict(type='ModuleInputs',
                               source='head.loss_module')),
            teacher_recorders=dict(regions=regions),
            distill_losses=dict(
                loss_sdd=dict(
                    type='SDDLoss', base=base, tau=1.0, alpha=1.0, beta=0.5)),
            loss_forward_mappings=dict(
                loss_sdd=dict(
                    preds_S=dict(from_student=True, recorder='regions'),
                    preds_T=dict(from_student=False, recorder='regions'),
                    gt_labels=dict(
                        recorder='gt_labels', from_student=True,
                        data_idx=1)))))


def _batch(size: int = 64):
    from mmpretrain.structures import DataSample
    g = torch.Generator().manual_seed(0)
    inputs = [
        torch.randint(0, 256, (3, size, size), generator=g, dtype=torch.uint8)
        for _ in range(2)
    ]
    samples = [DataSample().set_gt_label(i) for i in (1, 3)]
    return dict(inputs=inputs, data_samples=samples)


def test_single_teacher_distill_train_step(base='dkd'):
    from mmengine.optim import OptimWrapper
    torch.manual_seed(0)
    algo = MODELS.build(_sdd_distill(base))
    algo.train()
    # 64x64 input -> 2x2 final map: base_grid=4 upsamples, still works
    data = algo.data_preprocessor(_batch(64), True)
    losses = algo(**data, mode='loss')
    assert set(losses) >= {'student.loss', 'distill.loss_sdd'}
    distill = losses['distill.loss_sdd']
    assert distill.dim() == 0 and torch.isfinite(distill) and distill > 0
    distill.backward()
    student_fc = algo.student.head.fc.weight
    assert student_fc.grad is not None and student_fc.grad.abs().sum() > 0
    conv = algo.student.backbone.conv1.weight
    assert conv.grad is not None and conv.grad.abs().sum() > 0
    assert all(p.grad is None for p in algo.teacher.parameters())
    algo.zero_grad()
    optim = OptimWrapper(torch.optim.SGD(algo.student.parameters(), lr=0.1))
    before = student_fc.detach().clone()
    log_vars = algo.train_step(_batch(32), optim)  # 1x1 map
    assert 'distill.loss_sdd' in log_vars
    assert not torch.equal(before, student_fc.detach())


# ------------------------------------------------------ ImageNet configs
@pytest.mark.slow
@pytest.mark.parametrize(
    'config', ['sdd_kd_r34_r18_imagenet.py', 'sdd_dkd_r34_r18_imagenet.py'])
def test_imagenet_config_runs_two_iterations(config, tmp_path):
    from tests.helpers.datasets import make_imagenet
    from tests.helpers.training import build_and_train, imagenet_tiny_options
    root = make_imagenet(
        tmp_path / 'data',
        num_classes=4,
        per_class=1,
        val_per_class=1,
        size=40)
    # 32x32 crops: ResNet's final map is 1x1, pooled to the 4x4 base grid
    options = imagenet_tiny_options(root, image_size=32)
    # only the training iterations (validation and checkpoints of the two
    # ResNets are tested elsewhere and would dominate the time)
    options.update({
        'train_cfg.val_interval': 10,
        'default_hooks.checkpoint': None
    })
    runner = build_and_train(config, tmp_path / 'work', options, iters=2)
    assert runner.iter == 2
    loss = runner.message_hub.get_scalar('train/distill.loss_sdd').current()
    assert loss == loss and loss >= 0  # finite, not NaN
    recorder = runner.model.distiller.student_recorders.get_recorder('regions')
    assert recorder.scales == (1, 2) and recorder.base_grid == 4
