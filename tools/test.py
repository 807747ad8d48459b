"""Evaluate the student of a distillation checkpoint (or a plain model).

    python tools/test.py CONFIG CHECKPOINT [--work-dir DIR] [--out FILE]
        [--cfg-options ...] [--launcher {none,pytorch,slurm,mpi}]

With a distillation config (``SingleTeacherDistill``), mmrazor's test step
runs the *student* (``architecture``); the teacher's weights come from the
checkpoint, so ``teacher_ckpt`` is not loaded again. The checkpoint is
loaded strictly: keys that do not fit the model are an error, never a
silently random network.
"""
import argparse
import json
import os
import os.path as osp
import sys

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
if REPO_ROOT not in sys.path:
    sys.path.insert(0, REPO_ROOT)

import mmkd_logits  # noqa: E402,F401
from mmengine.config import Config, DictAction  # noqa: E402
from mmengine.runner import Runner  # noqa: E402
from mmkd_logits.compat import trust_file  # noqa: E402

from mmkd_logits.apis.launch import setup_cpu_distributed  # noqa: E402


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Evaluate a (distilled) student checkpoint')
    parser.add_argument('config', help='config file (distillation or plain)')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--work-dir', help='the dir to save logs')
    parser.add_argument('--out', help='write the metrics to this JSON file')
    parser.add_argument(
        '--trust-checkpoint',
        action='store_true',
        help='allow full unpickling of CHECKPOINT (only for files you '
        'trust; by default it loads with weights_only=True)')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override settings in the config')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args(argv)
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args


def main(argv=None) -> dict:
    args = parse_args(argv)
    cfg = Config.fromfile(args.config)
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    cfg.launcher = args.launcher
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(args.config))[0])
    if 'teacher_ckpt' in cfg.model:
        cfg.model.teacher_ckpt = None  # the checkpoint holds the teacher
        cfg.model.distiller.allow_random_teacher = True
    cfg.load_from = None
    if args.trust_checkpoint:
        trust_file(args.checkpoint)

    setup_cpu_distributed(cfg)
    runner = Runner.from_cfg(cfg)
    runner.load_checkpoint(args.checkpoint, map_location='cpu', strict=True)
    metrics = runner.test()
    if args.out:
        with open(args.out, 'w') as f:
            json.dump({k: float(v) for k, v in metrics.items()}, f, indent=2)
    return metrics


if __name__ == '__main__':
    main()
