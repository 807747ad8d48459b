"""The experiment matrix: every teacher -> student pair x every method.

* the matrix is complete and ``configs/`` holds nothing else than it and
  the ``vanilla_*`` teacher configs (other configs live in sub-folders:
  ``configs/extra/``, ``configs/fashion_mnist/``);
* EVERY config in ``configs/`` builds -- its model (a random teacher:
  ``teacher_ckpt=None`` with ``allow_random_teacher``) and its training
  dataset on generated data in the real format -- and its hyper-parameters
  are the ones stated here, written independently of the config files from
  the authors' published settings; its merged config holds no helper
  variables;
* a representative sample (every method, every dataset) trains one
  iteration through mmengine's runner.

The recipe details a replay of one step cannot see (normalization, gradient
clipping, LDRLD's learning rate epoch by epoch, the loss warm-up factor) are
checked in ``test_recipes.py``.
"""
import math
import re
from typing import Dict, NamedTuple, Tuple

import pytest
import torch

from tests.helpers.training import (CONFIGS, RANDOM_TEACHER, build_and_train,
                                    no_cifar_md5, tiny_options)

METHODS = ('kd', 'dkd', 'rld', 'ldrld', 'sdd_kd', 'sdd_dkd', 'aekt')
DATASETS = ('cifar100', 'imagenet', 'tiny_imagenet')
NUM_CLASSES = dict(cifar100=100, imagenet=1000, tiny_imagenet=200)


class Pair(NamedTuple):
    teacher: str  # zoo arch name, else the backbone class name (mmpretrain's
    student: str  # ImageNet ResNets: ResNet<depth>)
    dkd_beta: float  # the pair's DKD beta in the authors' configs
    same_family: bool  # SDD: M = (1, 2), else (1, 2, 4)


#: the pairs of issue #7; DKD betas from mdistiller's configs/cifar100/dkd
#: (default 8 where a config sets none), SDD's configs/cifar100/sdd_dkd for
#: the pairs mdistiller does not have, RLD's for resnet110 -> resnet20, and
#: the ImageNet DKD configs (0.5 for R34 -> R18, 2 for R50 -> MobileNet-V1)
PAIRS: Dict[str, Dict[str, Pair]] = {
    'cifar100': {
        'r56_r20': Pair('resnet56', 'resnet20', 2, True),
        'r110_r32': Pair('resnet110', 'resnet32', 2, True),
        'r110_r20': Pair('resnet110', 'resnet20', 2, True),
        'r32x4_r8x4': Pair('resnet32x4', 'resnet8x4', 8, True),
        'wrn40_2_wrn16_2': Pair('wrn_40_2', 'wrn_16_2', 6, True),
        'wrn40_2_wrn40_1': Pair('wrn_40_2', 'wrn_40_1', 6, True),
        'vgg13_vgg8': Pair('vgg13', 'vgg8', 6, True),
        'r32x4_shuv1': Pair('resnet32x4', 'ShuffleV1', 8, False),
        'r32x4_shuv2': Pair('resnet32x4', 'ShuffleV2', 8, False),
        'wrn40_2_shuv1': Pair('wrn_40_2', 'ShuffleV1', 8, False),
        'vgg13_mbv2': Pair('vgg13', 'CIFARMobileNetV2', 6, False),
        'r50_mbv2': Pair('ResNet50', 'CIFARMobileNetV2', 8, False),
        'r50_vgg8': Pair('ResNet50', 'vgg8', 8, False),
        'r32x4_mbv2': Pair('resnet32x4', 'CIFARMobileNetV2', 8, False),
        'wrn40_2_vgg8': Pair('wrn_40_2', 'vgg8', 8, False),
        'wrn40_2_mbv2': Pair('wrn_40_2', 'CIFARMobileNetV2', 6, False),
        'r50_shuv1': Pair('ResNet50', 'ShuffleV1', 8, False),
    },
    'imagenet': {
        'r34_r18': Pair('ResNet34', 'ResNet18', 0.5, True),
        'r50_mbv1': Pair('ResNet50', 'MobileNetV1', 2, False),
    },
    'tiny_imagenet': {
        'r18_mbv2': Pair('ResNet18', 'TinyImageNetMobileNetV2', 8, False),
        'r18_shuv2': Pair('ResNet18', 'ShuffleV2', 8, False),
    },
}
SMALL_LR_STUDENTS = ('ShuffleV1', 'ShuffleV2', 'CIFARMobileNetV2')
WARMUP_METHODS = ('dkd', 'rld', 'sdd_dkd', 'aekt')
LOSS_NAME = dict(
    kd='loss_kd',
    dkd='loss_dkd',
    rld='loss_rld',
    ldrld='loss_ldrld',
    sdd_kd='loss_sdd',
    sdd_dkd='loss_sdd',
    aekt='loss_aekt')
VANILLA = re.compile(r'vanilla_(\w+?)_(cifar100|tiny_imagenet)$')


def _split(stem: str) -> Tuple[str, str, str]:
    """``sdd_dkd_r32x4_shuv1_cifar100`` -> method, pair, dataset."""
    for dataset in sorted(DATASETS, key=len, reverse=True):
        if stem.endswith('_' + dataset):
            rest = stem[:-len(dataset) - 1]
            break
    else:
        raise AssertionError(f'{stem}: no dataset suffix')
    for method in sorted(METHODS, key=len, reverse=True):
        if rest.startswith(method + '_'):
            return method, rest[len(method) + 1:], dataset
    raise AssertionError(f'{stem}: no method prefix')


ALL_CONFIGS = sorted(p.stem for p in CONFIGS.glob('*.py'))
DISTILL_CONFIGS = [c for c in ALL_CONFIGS if not VANILLA.match(c)]


def _expected(method: str, dataset: str, pair: Pair) -> dict:
    """The hyper-parameters a config must have (see the module docstring of
    each ``configs/_base_/distill/<method>.py`` for the sources)."""
    imagenet = dataset == 'imagenet'
    tau = 1.0 if imagenet and method != 'sdd_kd' else 4.0
    beta = dict(kd=None, ldrld=7.0, sdd_kd=None).get(method, pair.dkd_beta)
    if method == 'rld' and not imagenet:
        beta = 8.0  # the RLD authors' CIFAR-100 default for every pair
    ce, kd_weight = 1.0, 1.0
    if method in ('kd', 'sdd_kd'):
        ce, kd_weight = 0.1, 0.9
    if method == 'kd' and imagenet:
        ce, kd_weight = 0.5, 0.5
    if dataset == 'cifar100':
        lr = 0.01 if pair.student in SMALL_LR_STUDENTS else 0.05
    else:
        lr = 0.2
    warmup = None
    if method in WARMUP_METHODS:
        warmup = 1 if imagenet else 20
    return dict(
        tau=tau,
        beta=beta,
        ce=ce,
        loss_weight=kd_weight,
        lr=lr,
        warmup=warmup,
        scales=(1, 2) if pair.same_family else (1, 2, 4))


# ----------------------------------------------------------------- matrix
def test_matrix_is_complete_and_configs_holds_nothing_else():
    expected = {
        f'{m}_{p}_{d}'
        for d, pairs in PAIRS.items()
        for p in pairs
        for m in METHODS
    }
    assert len(expected) == 7 * (17 + 2 + 2)
    assert set(DISTILL_CONFIGS) == expected
    vanilla = {c for c in ALL_CONFIGS if VANILLA.match(c)}
    # teachers (and students) of Tiny-ImageNet are trained here too
    assert {
        f'vanilla_{a}_tiny_imagenet'
        for a in ('ResNet18', 'MobileNetV2', 'ShuffleV2')
    } <= vanilla


pytestmark = pytest.mark.usefixtures('one_thread')


@pytest.fixture
def no_random_init(monkeypatch):
    """Leave new weights uninitialised while building: drawing random
    weights for the 170+ models (ResNet-50s, VGG-13s, ...) dominates the
    build time, and this test checks structure and settings only (the
    training sample below builds with the real initialisation)."""

    def keep(tensor, *args, **kwargs):
        return tensor

    for name in ('uniform_', 'normal_', 'trunc_normal_', 'kaiming_uniform_',
                 'kaiming_normal_', 'xavier_uniform_', 'xavier_normal_'):
        monkeypatch.setattr(torch.nn.init, name, keep)


def _load(stem: str, options: dict):
    from mmengine.config import Config
    cfg = Config.fromfile(str(CONFIGS / f'{stem}.py'))
    teacher_ckpt = cfg.model.get('teacher_ckpt')
    cfg.merge_from_dict(options)
    return cfg, teacher_ckpt


def _build_dataset(cfg, dataset: str):
    from mmpretrain.registry import DATASETS as PRETRAIN_DATASETS
    with no_cifar_md5():
        ds = PRETRAIN_DATASETS.build(cfg.train_dataloader.dataset)
        sample = ds[0]
    size = 32 if dataset != 'tiny_imagenet' else 64
    assert tuple(sample['inputs'].shape) == (3, size, size)
    return ds


def _backbone_name(backbone) -> str:
    name = type(backbone).__name__
    if name == 'ResNet':  # mmpretrain's
        return f'ResNet{backbone.depth}'
    return getattr(backbone, 'arch', name)


# ------------------------------------------------------- every config builds
@pytest.mark.parametrize('stem', ALL_CONFIGS)
def test_config_builds_with_its_published_settings(stem, data, no_random_init):
    import mmkd_logits  # noqa: F401
    vanilla = VANILLA.match(stem)
    dataset = vanilla.group(2) if vanilla else _split(stem)[2]
    options = tiny_options(dataset, data[dataset])
    # mmengine serialises the data list with a gc.collect() per dataset,
    # which alone would cost a minute over all configs
    options['train_dataloader.dataset.serialize_data'] = False
    if vanilla:
        for key in RANDOM_TEACHER:
            options.pop(key)
    cfg, teacher_ckpt = _load(stem, options)
    _build_dataset(cfg, dataset)
    classes = NUM_CLASSES[dataset]
    if vanilla:
        from mmpretrain.registry import MODELS as PRETRAIN_MODELS
        model = PRETRAIN_MODELS.build(cfg.model)
        assert model.head.num_classes == classes
        return

    method, pair_name, _ = _split(stem)
    pair = PAIRS[dataset][pair_name]
    exp = _expected(method, dataset, pair)
    from mmrazor.registry import MODELS as RAZOR_MODELS
    algo = RAZOR_MODELS.build(cfg.model)
    assert type(algo).__name__ == 'SingleTeacherDistill'

    # the pair: architectures, classes, teacher checkpoint, learning rate
    assert _backbone_name(algo.student.backbone) == pair.student
    assert _backbone_name(algo.teacher.backbone) == pair.teacher
    assert algo.student.head.num_classes == classes
    assert algo.teacher.head.num_classes == classes
    assert isinstance(teacher_ckpt, str) and teacher_ckpt
    if dataset == 'imagenet':
        assert teacher_ckpt.startswith('https://download.openmmlab.com/')
    else:
        assert teacher_ckpt.startswith('checkpoints/')
    assert cfg.optim_wrapper.optimizer.lr == exp['lr']
    assert cfg.val_cfg.type.__name__ == 'SingleTeacherDistillValLoop'
    assert cfg.data_preprocessor.num_classes == classes

    # the method: loss, its settings, the student's CE weight, the warm-up
    losses = algo.distiller.distill_losses
    assert list(losses) == [LOSS_NAME[method]]
    loss = losses[LOSS_NAME[method]]
    assert loss.tau == exp['tau']
    if exp['beta'] is not None:
        assert loss.beta == exp['beta']
    assert loss.loss_weight == exp['loss_weight']
    assert algo.student.head.loss_module.loss_weight == exp['ce']
    assert (type(algo.student.head).__name__ == 'SerialClsHead') == (
        method == 'aekt')
    if method.startswith('sdd'):
        assert loss.base == method[len('sdd_'):]
        for recorders in (algo.distiller.student_recorders,
                          algo.distiller.teacher_recorders):
            assert tuple(recorders.get_recorder('regions').scales) == \
                exp['scales']
    assert type(algo.distiller).__name__ == 'LogitDistiller'
    if exp['warmup'] is None:
        assert algo.distiller.warmup is None
    else:
        assert algo.distiller.warmup == dict(epochs=exp['warmup'])
    # the runtime's own hooks are kept
    types = {h['type'].__name__ for h in cfg.custom_hooks}
    assert {
        'WeightsOnlyCheckpointHook', 'DatasetCheckHook', 'NonFiniteLossHook'
    } <= types


#: what a merged config may hold at its top level: the keys mmengine's
#: Runner.from_cfg reads, and mmpretrain's / mmrazor's runtime keys
RUNNER_KEYS = {
    'model', 'work_dir', 'train_dataloader', 'val_dataloader',
    'test_dataloader', 'train_cfg', 'val_cfg', 'test_cfg', 'auto_scale_lr',
    'optim_wrapper', 'param_scheduler', 'val_evaluator', 'test_evaluator',
    'default_hooks', 'custom_hooks', 'data_preprocessor', 'load_from',
    'resume', 'launcher', 'env_cfg', 'log_processor', 'log_level',
    'visualizer', 'default_scope', 'randomness', 'experiment_name',
    'find_unused_parameters', 'model_wrapper_cfg'
}


@pytest.mark.parametrize('stem', ALL_CONFIGS)
def test_merged_config_has_no_helper_variables(stem):
    from mmengine.config import Config
    cfg = Config.fromfile(str(CONFIGS / f'{stem}.py'))
    keys = set(cfg._to_lazy_dict())  # imported names are not config keys
    assert keys <= RUNNER_KEYS, keys - RUNNER_KEYS


# ------------------------------------ one training iteration, a sample
#: every method and every dataset at least once; cross- and same-family
#: SDD scales; every student family of the new pairs
SAMPLE = (
    'kd_r18_shuv2_tiny_imagenet',
    'dkd_r56_r20_cifar100',
    'rld_r50_mbv1_imagenet',
    'ldrld_vgg13_mbv2_cifar100',
    'sdd_kd_r32x4_shuv1_cifar100',
    'sdd_dkd_r18_mbv2_tiny_imagenet',
    'aekt_wrn40_2_wrn40_1_cifar100',
)


def test_sample_covers_every_method_and_dataset():
    split = [_split(s) for s in SAMPLE]
    assert {m for m, _, _ in split} == set(METHODS)
    assert {d for _, _, d in split} == set(DATASETS)
    assert set(SAMPLE) <= set(DISTILL_CONFIGS)


@pytest.mark.slow
@pytest.mark.parametrize('stem', SAMPLE)
def test_sample_trains_one_iteration(stem, data, tmp_path):
    method, _, dataset = _split(stem)
    options = tiny_options(dataset, data[dataset], batch_size=2, iters=1)
    # only the training iteration: validation and checkpoints of these
    # runs are tested elsewhere (tests/test_tools) and would dominate here
    options.update({
        'train_cfg.val_interval': 100,
        'default_hooks.checkpoint': None
    })
    with no_cifar_md5():
        runner = build_and_train(stem + '.py', tmp_path / 'work', options)
    assert runner.iter == 1
    scalars = runner.message_hub.log_scalars
    name = f'train/distill.{LOSS_NAME[method]}'
    value = scalars[name].current()
    assert math.isfinite(value) and value >= 0, (name, value)
    # the loss's terms and the teacher's batch top-1 are logged next to it
    short = LOSS_NAME[method][len('loss_'):]
    terms = [k for k in scalars if k.startswith(f'train/distill.{short}.')]
    assert terms, sorted(scalars)
    assert 0 <= scalars['train/distill.teacher_top1'].current() <= 100
    assert math.isfinite(scalars['train/loss'].current())
    # one SGD step on the student only (momentum buffers exist for the
    # student's parameters; the frozen teacher is not optimised)
    algo = runner.model
    optimizer = runner.optim_wrapper.optimizer
    stepped = {
        id(p)
        for p, st in optimizer.state.items() if 'momentum_buffer' in st
    }
    student = {id(p) for p in algo.student.parameters()}
    assert stepped and stepped <= student
    assert not stepped & {id(p) for p in algo.teacher.parameters()}
