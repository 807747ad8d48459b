"""Train a distillation (or a plain teacher) from a config, like mmrazor's.

    python tools/train.py CONFIG [--work-dir DIR] [--resume [CKPT]] [--amp]
        [--random-teacher] [--cfg-options KEY=VALUE ...]
        [--launcher {none,pytorch,slurm,mpi}]

Differences from mmpretrain's / mmrazor's ``tools/train.py``:

* paths on disk are checked before anything is built
  (:func:`mmkd_logits.utils.preflight_check`): a ``teacher_ckpt`` that does
  not exist, a distillation config without ``teacher_ckpt`` (refused unless
  ``--random-teacher``), missing dataset folders;
* a warning when the total batch differs from the one the lr is set for;
* distributed runs on machines without a GPU use the gloo backend;
* the run's own ``work_dir`` is trusted for full unpickling of checkpoints
  (``--resume``); any other checkpoint loads with ``weights_only=True``
  unless given with ``--trust-checkpoint PATH``;
* temporary files left by a run killed while saving a checkpoint are
  removed from the work dir.
"""
import argparse
import os
import os.path as osp
import sys

from mmengine.config import Config, DictAction

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
if REPO_ROOT not in sys.path:
    sys.path.insert(0, REPO_ROOT)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Train a distillation with mmrazor + mmkd_logits')
    parser.add_argument('config', help='train config file path')
    parser.add_argument('--work-dir', help='the dir to save logs and models')
    parser.add_argument(
        '--resume',
        nargs='?',
        type=str,
        const='auto',
        help='resume from the given checkpoint, or, without a path, from the '
        'latest checkpoint in the work dir')
    parser.add_argument(
        '--amp',
        action='store_true',
        help='enable automatic mixed precision training (needs a GPU)')
    parser.add_argument(
        '--no-validate',
        action='store_true',
        help='do not evaluate checkpoints during training')
    parser.add_argument(
        '--auto-scale-lr',
        action='store_true',
        help='scale the lr linearly with the total batch size')
    parser.add_argument(
        '--random-teacher',
        action='store_true',
        help='distil from a teacher without weights (smoke runs, tests): '
        'clears model.teacher_ckpt and sets '
        'model.distiller.allow_random_teacher=True')
    parser.add_argument(
        '--skip-teacher-check',
        action='store_true',
        help='train even if the teacher is near chance on the first '
        'training batches (removes TeacherCheckHook)')
    parser.add_argument(
        '--trust-checkpoint',
        action='append',
        default=[],
        metavar='PATH',
        help='allow full unpickling of this checkpoint file if a '
        'weights-only load refuses it (it could run code stored in the '
        'file: only for files you trust); every other checkpoint loads with '
        'weights_only=True. Repeatable.')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override settings in the config, e.g. '
        'model.teacher_ckpt=/path/to/teacher.pth')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher')
    # torch.distributed.launch passes --local-rank (torch>=2) or --local_rank
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args(argv)
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args


def merge_args(cfg: Config, args: argparse.Namespace) -> Config:
    """Apply the command line to the config (mmpretrain's semantics)."""
    if args.no_validate:
        cfg.val_cfg = None
        cfg.val_dataloader = None
        cfg.val_evaluator = None
    cfg.launcher = args.launcher
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(args.config))[0])
    if args.amp:
        cfg.optim_wrapper.type = 'AmpOptimWrapper'
        cfg.optim_wrapper.setdefault('loss_scale', 'dynamic')
    if args.resume == 'auto':
        cfg.resume = True
        cfg.load_from = None
    elif args.resume is not None:
        cfg.resume = True
        cfg.load_from = args.resume
    if args.auto_scale_lr:
        cfg.auto_scale_lr.enable = True
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    if args.random_teacher and 'distiller' in cfg.get('model', {}):
        cfg.model.teacher_ckpt = None
        cfg.model.distiller.allow_random_teacher = True
    return cfg


def main(argv=None) -> None:
    args = parse_args(argv)
    cfg = merge_args(Config.fromfile(args.config), args)

    # the mistakes users hit first, before anything slow is imported/built
    from mmkd_logits.utils import ConfigError, preflight_check
    try:
        preflight_check(cfg)
    except ConfigError as err:
        raise SystemExit(f'{args.config}: {err}') from None

    import torch
    from mmengine.logging import print_log
    from mmengine.runner import Runner

    from mmkd_logits.apis.launch import (drop_hooks, lr_scale_warning,
                                         setup_cpu_distributed)
    from mmkd_logits.compat import trust_directory, trust_file
    from mmkd_logits.compat.fileio import remove_stale_temp_files
    if args.skip_teacher_check:
        cfg.custom_hooks = drop_hooks(
            cfg.get('custom_hooks', []), 'TeacherCheckHook')
    if args.amp and not torch.cuda.is_available():
        raise SystemExit("--amp needs a CUDA GPU (mmengine's "
                         'AmpOptimWrapper); run without --amp on CPU.')
    # the run's own checkpoints may be fully unpickled; nothing else may
    trust_directory(cfg.work_dir)
    for path in args.trust_checkpoint:
        trust_file(path)
    # a run killed while saving leaves a temporary file; never a torn one
    if os.environ.get('RANK', os.environ.get('SLURM_PROCID', '0')) == '0':
        remove_stale_temp_files(cfg.work_dir)

    setup_cpu_distributed(cfg)
    runner = Runner.from_cfg(cfg)
    warning = lr_scale_warning(cfg, runner.world_size)
    if warning:
        print_log(warning, logger='current', level=30)
    runner.train()


if __name__ == '__main__':
    main()
