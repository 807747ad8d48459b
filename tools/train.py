"""Train a distillation (or a plain teacher) from a config, like mmrazor's.

    python tools/train.py CONFIG [--work-dir DIR] [--resume [CKPT]] [--amp]
        [--cfg-options KEY=VALUE ...] [--launcher {none,pytorch,slurm,mpi}]

Differences from mmpretrain's/mmrazor's ``tools/train.py``, all of them so
that the same command works everywhere:

* the plugin is imported from this checkout even when it is not
  pip-installed (the repository root is put on ``sys.path``);
* distributed runs on machines without a GPU use the gloo backend: the
  process group is created here (mmengine's launcher would call
  ``torch.cuda.set_device``) and DDP is built with ``device_ids=None``;
* the run's own ``work_dir`` is trusted for full unpickling of checkpoints
  (``--resume``); any other checkpoint loads with ``weights_only=True``
  unless given with ``--trust-checkpoint PATH``;
* configuration mistakes (dataset paths that do not exist, recorder sources
  that are not in the model, ``loss_forward_mappings`` that do not fit the
  loss, student/teacher class counts that differ) stop the run before
  anything is built, with one message listing them
  (:mod:`mmkd_logits.utils.config_check`; ``--no-config-check`` skips it),
  and ``ConfigCheckHook`` checks the built model again before the first
  iteration;
* temporary files left by a run killed while saving a checkpoint are
  removed from the work dir.
"""
import argparse
import os
import os.path as osp
import sys

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
if REPO_ROOT not in sys.path:
    sys.path.insert(0, REPO_ROOT)

import torch  # noqa: E402
import torch.distributed as dist  # noqa: E402

import mmkd_logits  # noqa: E402,F401  (registers everything, applies compat)
from mmengine.config import Config, DictAction  # noqa: E402
from mmengine.runner import Runner  # noqa: E402
from mmkd_logits.compat import trust_directory, trust_file  # noqa: E402
from mmkd_logits.compat.fileio import remove_stale_temp_files  # noqa: E402
from mmkd_logits.utils.config_check import (ConfigError,  # noqa: E402
                                            check_config)


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
        '--trust-checkpoint',
        action='append',
        default=[],
        metavar='PATH',
        help='allow full unpickling of this checkpoint file (only for files '
        'you trust; others load with weights_only=True). Repeatable.')
    parser.add_argument(
        '--no-config-check',
        action='store_true',
        help='skip the checks of dataset paths, recorder sources, loss '
        'mappings and class counts that run before training')
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
    """Apply the command line to the config."""
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
        if not torch.cuda.is_available():
            raise SystemExit('--amp needs a CUDA GPU (mmengine\'s '
                             'AmpOptimWrapper); run without --amp on CPU.')
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
    return cfg


def setup_cpu_distributed(cfg: Config) -> None:
    """Let mmengine's runner train with several CPU processes (gloo).

    mmengine's ``pytorch`` launcher always calls ``torch.cuda.set_device``
    and its DDP wrapper always passes ``device_ids=[LOCAL_RANK]``; both fail
    without a GPU. The runner skips its own initialisation when a process
    group exists, so one is created here with the gloo backend, and DDP gets
    ``device_ids=None``.
    """
    if cfg.launcher == 'none' or torch.cuda.is_available():
        return
    if not dist.is_initialized():
        if cfg.launcher == 'slurm':
            _slurm_env_to_torch_env()
        dist.init_process_group(backend='gloo')
    wrapper = cfg.get('model_wrapper_cfg', None) or dict(
        type='MMDistributedDataParallel',
        broadcast_buffers=False,
        find_unused_parameters=cfg.get('find_unused_parameters', False))
    wrapper['device_ids'] = None
    cfg.model_wrapper_cfg = wrapper
    cfg.env_cfg.setdefault('dist_cfg', {})['backend'] = 'gloo'


def ensure_weights_only_checkpoints(cfg: Config) -> None:
    """Add ``WeightsOnlyCheckpointHook`` unless the config already has it.

    Checkpoints then hold only tensors and plain data, so that teachers,
    ``load_from`` and ``tools/test.py`` load them with ``weights_only=True``.
    """
    hooks = list(cfg.get('custom_hooks', None) or [])
    names = {str(h.get('type', '')).split('.')[-1] for h in hooks}
    if 'WeightsOnlyCheckpointHook' not in names:
        hooks.append(dict(type='mmrazor.WeightsOnlyCheckpointHook'))
        cfg.custom_hooks = hooks


def ensure_config_check_hook(cfg: Config) -> None:
    """Add ``ConfigCheckHook`` unless the config already has it."""
    hooks = list(cfg.get('custom_hooks', None) or [])
    names = {str(h.get('type', '')).split('.')[-1] for h in hooks}
    if 'ConfigCheckHook' not in names:
        hooks.append(dict(type='mmrazor.ConfigCheckHook'))
        cfg.custom_hooks = hooks


def _slurm_env_to_torch_env() -> None:
    """Translate SLURM variables into the ones ``init_process_group`` reads."""
    os.environ.setdefault('RANK', os.environ['SLURM_PROCID'])
    os.environ.setdefault('WORLD_SIZE', os.environ['SLURM_NTASKS'])
    os.environ.setdefault('LOCAL_RANK', os.environ.get('SLURM_LOCALID', '0'))
    os.environ.setdefault('MASTER_PORT', os.environ.get('PORT', '29500'))
    if 'MASTER_ADDR' not in os.environ:
        import subprocess
        node_list = os.environ['SLURM_NODELIST']
        os.environ['MASTER_ADDR'] = subprocess.getoutput(
            f'scontrol show hostname {node_list} | head -n1')


def main(argv=None) -> None:
    args = parse_args(argv)
    cfg = Config.fromfile(args.config)
    cfg = merge_args(cfg, args)

    # the run's own checkpoints may be fully unpickled; nothing else may
    trust_directory(cfg.work_dir)
    for path in args.trust_checkpoint:
        trust_file(path)

    if not args.no_config_check:
        try:
            check_config(cfg)
        except ConfigError as err:
            raise SystemExit(f'{args.config}: {err}') from None
        ensure_config_check_hook(cfg)
    # a run killed while saving leaves a temporary file; never a torn one
    if os.environ.get('RANK', os.environ.get('SLURM_PROCID', '0')) == '0':
        remove_stale_temp_files(cfg.work_dir)

    ensure_weights_only_checkpoints(cfg)
    setup_cpu_distributed(cfg)
    runner = Runner.from_cfg(cfg)
    runner.train()


if __name__ == '__main__':
    main()
