"""Config mistakes are caught before training starts, with a clear message.

What upstream does on its own, for comparison (why the checks exist):

* recorder source not in the model: mmrazor ``assert``\\ s
  ``"head.fcc" is not in the model.`` (no side, no recorder, nothing under
  ``python -O``);
* a mapping key the loss does not take: mmrazor asserts with a message that
  names neither the loss entry nor the accepted arguments; a *missing*
  required argument is a ``TypeError`` at the first training step, and a
  loss without mapping is silently never computed;
* student/teacher class counts that differ: nothing until the first step;
* a dataset path that does not exist: a bare ``FileNotFoundError`` after
  the models (and a downloaded teacher) are built.
"""
import copy

import pytest
from mmengine.config import Config

import mmkd_logits  # noqa: F401
from mmkd_logits.utils.config_check import (ConfigError, check_config,
                                            check_dataset_paths, check_model)
from tests.helpers.datasets import make_imagenet
from tests.helpers.training import (CONFIGS, imagenet_cli_options,
                                    imagenet_tiny_options, run_tool)

KD = 'kd_r34_r18_imagenet.py'


@pytest.fixture(scope='module')
def data(tmp_path_factory):
    return make_imagenet(tmp_path_factory.mktemp('imagenet'), num_classes=4,
                         per_class=1, val_per_class=1)


def _cfg(data, **changes):
    cfg = Config.fromfile(str(CONFIGS / KD))
    cfg.merge_from_dict(imagenet_tiny_options(data))
    cfg.merge_from_dict(changes)
    return cfg


def _problems(cfg, build_models=True):
    with pytest.raises(ConfigError) as err:
        check_config(cfg, build_models=build_models)
    return str(err.value)


def test_valid_config_passes(data):
    check_config(_cfg(data))


# ------------------------------------------------------ recorder sources
def test_recorder_source_not_in_student(data):
    cfg = _cfg(data, **{
        'model.distiller.student_recorders.fc.source': 'head.fcc'})
    msg = _problems(cfg)
    assert "model.distiller.student_recorders.fc: source 'head.fcc' is not " \
        'a module of the student (ImageClassifier)' in msg
    assert 'similar names: head.fc' in msg


def test_recorder_source_not_in_teacher(data):
    cfg = _cfg(data, **{
        'model.distiller.teacher_recorders.fc.source': 'neck.fc'})
    msg = _problems(cfg)
    assert "teacher_recorders.fc: source 'neck.fc'" in msg
    assert 'of the teacher' in msg


def test_multi_scale_recorder_fc_checked(data):
    from mmkd_logits.utils.config_check import check_recorder_sources
    from mmrazor.registry import MODELS
    student = MODELS.build(_cfg(data).model.architecture)
    recorders = dict(regions=dict(type='MultiScaleLogits', source='backbone',
                                  fc='head.linear'))
    (msg, ) = check_recorder_sources(student, recorders, 'student')
    assert "student_recorders.regions: fc 'head.linear'" in msg


# --------------------------------------------------------- loss mappings
def test_mapping_key_the_loss_does_not_take(data):
    cfg = _cfg(data)
    cfg.model.distiller.loss_forward_mappings.loss_kd['gt_labels'] = dict(
        recorder='fc', from_student=True)
    msg = _problems(cfg, build_models=False)
    assert ("loss_forward_mappings.loss_kd: 'gt_labels' is not an argument "
            'of KLDivergence.forward(preds_S, preds_T)') in msg


def test_mapping_misses_a_required_argument(data):
    cfg = _cfg(data)
    cfg.model.distiller.distill_losses.loss_kd = dict(type='RLDLoss')
    msg = _problems(cfg, build_models=False)
    assert "RLDLoss.forward(preds_S, preds_T, gt_labels) needs 'gt_labels'" \
        in msg
    assert "ModuleInputs recorder on 'head.loss_module'" in msg


def test_mapping_to_unknown_recorder_and_unmapped_loss(data):
    cfg = _cfg(data)
    cfg.model.distiller.loss_forward_mappings.loss_kd.preds_T.recorder = \
        'logits'
    cfg.model.distiller.distill_losses.loss_extra = dict(type='KLDivergence')
    msg = _problems(cfg, build_models=False)
    assert "loss_kd.preds_T: recorder 'logits' is not in " \
        'model.distiller.teacher_recorders (recorders: fc)' in msg
    assert 'distill_losses.loss_extra has no entry in' in msg
    assert 'never compute it' in msg


# ------------------------------------------------------------ class counts
def test_student_teacher_class_counts_differ(data):
    cfg = _cfg(data, **{'model.teacher.head.num_classes': 10})
    msg = _problems(cfg)
    assert 'the student has 1000 classes but the teacher has 10' in msg
    assert 'KLDivergence' in msg


def test_runner_hook_stops_before_the_first_iteration(data, tmp_path):
    """In-process users (Runner.from_cfg) get the check from the hook."""
    from mmengine.runner import Runner
    cfg = _cfg(data, **{'model.teacher.head.num_classes': 10})
    cfg.work_dir = str(tmp_path)
    cfg.custom_hooks = list(cfg.get('custom_hooks', [])) + [
        dict(type='mmrazor.ConfigCheckHook')
    ]
    runner = Runner.from_cfg(cfg)
    with pytest.raises(ConfigError, match='teacher has 10'):
        runner.train()
    assert runner.iter == 0
    assert not list(tmp_path.glob('*.pth'))


def test_check_model_accepts_plain_classifiers(data):
    from mmrazor.registry import MODELS
    check_model(MODELS.build(_cfg(data).model.architecture))


# ---------------------------------------------------------- dataset paths
def test_dataset_root_that_does_not_exist(data, tmp_path):
    missing = tmp_path / 'no-imagenet'
    cfg = _cfg(data, **{'train_dataloader.dataset.data_root': str(missing)})
    (msg, ) = check_dataset_paths(cfg)
    assert msg.startswith("train_dataloader.dataset.data_root = "
                          f"'{missing}' does not exist (ImageNet")
    assert '--cfg-options train_dataloader.dataset.data_root=' in msg


def test_ann_file_and_wrapped_datasets(data, tmp_path):
    cfg = _cfg(data)
    inner = copy.deepcopy(cfg.train_dataloader.dataset)
    inner['ann_file'] = 'meta/nope.txt'
    cfg.train_dataloader.dataset = dict(type='RepeatDataset', times=2,
                                        dataset=inner)
    cfg.val_cfg = None  # --no-validate: the val set is not needed
    cfg.val_dataloader.dataset.data_root = str(tmp_path / 'gone')
    (msg, ) = check_dataset_paths(cfg)
    assert "train_dataloader.dataset.dataset.ann_file = 'meta/nope.txt' " \
        'does not exist' in msg


def test_downloading_dataset_is_left_alone(tmp_path):
    cfg = dict(train_dataloader=dict(dataset=dict(
        type='CIFAR100', data_root=str(tmp_path / 'cifar'))))
    assert check_dataset_paths(cfg) == []  # mmpretrain downloads it there
    cfg['train_dataloader']['dataset']['download'] = False
    (msg, ) = check_dataset_paths(cfg)
    assert 'does not exist (CIFAR100' in msg


# ------------------------------------------------------------ the tool
@pytest.mark.slow
def test_train_tool_lists_every_mistake_before_building(data, tmp_path):
    opts = imagenet_cli_options(data, batch_size=2) + [
        f'val_dataloader.dataset.data_root={tmp_path / "missing"}',
        'model.distiller.student_recorders.fc.source=head.fcc',
        'model.teacher.head.num_classes=10',
        'model.teacher_ckpt=/nonexistent/teacher.pth',
    ]
    proc = run_tool('train.py', f'configs/{KD}', '--work-dir',
                    tmp_path / 'work', '--cfg-options', *opts)
    assert proc.returncode == 1, proc.stdout[-3000:]
    out = proc.stdout
    assert '3 configuration problem(s) found before training' in out
    assert 'val_dataloader.dataset.data_root' in out
    assert "source 'head.fcc'" in out
    assert 'the teacher has 10' in out
    # stopped before building anything: no traceback, no teacher loading
    assert 'Traceback' not in out and 'teacher.pth' not in out
