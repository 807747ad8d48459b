"""Train configs × seeds: one after another here, or as a slurm job array.

    python tools/sweep.py configs/a.py configs/b.py --seeds 3
    python tools/sweep.py configs/a.py --seed-list 0 5 7 --gpus 8
    python tools/sweep.py configs/a.py --seeds 3 --cfg-options \\
        model.teacher_ckpt=checkpoints/t.pth -- --auto-scale-lr
    python tools/sweep.py configs/a.py --seeds 3 --dry-run
    python tools/sweep.py configs/a.py --seeds 3 --slurm PARTITION [--submit]

Run ``k`` of ``CONFIG`` trains in ``<work-root>/<config stem>/seed<k>`` with
``--cfg-options randomness.seed=<k>``; everything after ``--`` goes to
``tools/train.py`` as it is. Finished runs (``sweep_finished.json`` in the
work dir, written after a successful exit) are skipped; interrupted ones
(``last_checkpoint`` without it) resume with ``--resume``; a failed run is
reported, the sweep goes on and exits with status 1 at the end. See
:mod:`mmkd_logits.apis.sweep`.
"""
import argparse
import os
import os.path as osp
import shutil
import subprocess
import sys
import time

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
if REPO_ROOT not in sys.path:
    sys.path.insert(0, REPO_ROOT)

from mmkd_logits.apis import sweep  # noqa: E402

TOOLS_DIR = osp.join(REPO_ROOT, 'tools')


def parse_args(argv=None) -> argparse.Namespace:
    argv = list(sys.argv[1:] if argv is None else argv)
    train_args = []
    if '--' in argv:
        cut = argv.index('--')
        argv, train_args = argv[:cut], argv[cut + 1:]
    parser = argparse.ArgumentParser(
        description='Train configs x seeds (skip finished runs, resume '
        'interrupted ones); arguments after -- go to tools/train.py')
    parser.add_argument('configs', nargs='+', help='config files')
    seeds = parser.add_mutually_exclusive_group()
    seeds.add_argument(
        '--seeds', type=int, default=3, help='seeds 0..N-1 (default 3)')
    seeds.add_argument(
        '--seed-list',
        type=int,
        nargs='+',
        metavar='SEED',
        help='these seeds instead of 0..N-1')
    parser.add_argument(
        '--gpus',
        type=int,
        default=1,
        help='GPUs per run; > 1 trains with '
        'tools/dist_train.sh (default 1)')
    parser.add_argument(
        '--work-root',
        default='work_dirs',
        help='runs go to WORK_ROOT/<config stem>/seed<k>')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        default=[],
        metavar='KEY=VALUE',
        help='config overrides for every run')
    parser.add_argument(
        '--dry-run',
        action='store_true',
        help='print what would run, run nothing')
    slurm = parser.add_argument_group('slurm job array')
    slurm.add_argument(
        '--slurm',
        metavar='PARTITION',
        help='write an sbatch job-array script (task i = '
        'run i) instead of running here')
    slurm.add_argument(
        '--submit', action='store_true', help='submit the script with sbatch')
    slurm.add_argument(
        '--script',
        help='where to write the script '
        '(default WORK_ROOT/sweep_<time>.sbatch)')
    slurm.add_argument('--job-name', default='sweep')
    slurm.add_argument(
        '--gpus-per-node', type=int, help='default min(GPUS, 8)')
    slurm.add_argument('--cpus-per-task', type=int, default=5)
    slurm.add_argument(
        '--max-parallel',
        type=int,
        help='at most this many array tasks at once')
    slurm.add_argument(
        '--sbatch-arg',
        action='append',
        default=[],
        metavar='OPTION',
        help='another #SBATCH line, e.g. --time=24:00:00 '
        '(repeatable)')
    args = parser.parse_args(argv)
    if args.submit and not args.slurm:
        parser.error('--submit needs --slurm PARTITION')
    if args.seed_list is None and args.seeds < 1:
        parser.error(f'--seeds must be >= 1, got {args.seeds}')
    args.train_args = train_args
    return args


def write_slurm(args, runs) -> int:
    script = sweep.slurm_script(
        runs,
        partition=args.slurm,
        tools_dir=TOOLS_DIR,
        workdir=os.getcwd(),
        gpus=args.gpus,
        gpus_per_node=args.gpus_per_node,
        cpus_per_task=args.cpus_per_task,
        job_name=args.job_name,
        max_parallel=args.max_parallel,
        log_dir=args.work_root,
        cfg_options=args.cfg_options,
        train_args=args.train_args,
        sbatch_args=args.sbatch_arg)
    path = args.script or osp.join(args.work_root,
                                   time.strftime('sweep_%Y%m%d_%H%M%S.sbatch'))
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    with open(path, 'w') as f:
        f.write(script)
    print(f'{path}: {len(runs)} array tasks')
    if not args.submit:
        return 0
    if shutil.which('sbatch') is None:
        print(
            'error: sbatch is not on PATH; submit the script on the '
            'cluster with: sbatch ' + path,
            file=sys.stderr)
        return 2
    return subprocess.call(['sbatch', path])


def main(argv=None) -> int:
    args = parse_args(argv)
    seeds = args.seed_list if args.seed_list is not None else list(
        range(args.seeds))
    try:
        runs = sweep.plan_runs(args.configs, seeds, args.work_root)
        if args.slurm:
            return write_slurm(args, runs)
        report = sweep.run_sweep(
            runs,
            TOOLS_DIR,
            gpus=args.gpus,
            cfg_options=args.cfg_options,
            train_args=args.train_args,
            dry_run=args.dry_run)
    except (OSError, ValueError) as err:
        print(f'error: {err}', file=sys.stderr)
        return 2
    return 0 if report.ok else 1


if __name__ == '__main__':
    sys.exit(main())
