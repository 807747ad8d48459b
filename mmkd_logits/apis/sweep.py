"""Run configs × seeds: one after another here, or as a slurm job array.

Every run trains with ``tools/train.py`` (``tools/dist_train.sh`` for
several GPUs) in its own work dir, ``<work_root>/<config stem>/seed<k>``,
with ``--cfg-options randomness.seed=<k>`` appended to the user's options.

A sweep is idempotent and resumable:

* a run is **finished** when its work dir holds :data:`MARKER`
  (``sweep_finished.json``), which the sweep writes only after the training
  command exited with status 0. Finished runs are skipped. (A run that
  completed but was stopped before the marker was written is resumed: the
  runner finds its final checkpoint, trains nothing more and exits 0, and
  the marker is written then.)
* a run is **interrupted** when its work dir has a ``last_checkpoint`` (the
  file mmengine's ``CheckpointHook`` writes after every checkpoint) but no
  marker: it is started again with ``--resume``, which continues from that
  checkpoint (epoch, optimizer, scheduler, logs).
* otherwise it is **new** and starts from scratch.

A run that fails (non-zero exit) is reported, the sweep goes on with the
next one, and the sweep's own status is non-zero at the end.
"""
import json
import os
import os.path as osp
import shlex
import subprocess
import sys
import time
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Sequence

__all__ = [
    'MARKER', 'LAST_CHECKPOINT', 'SEED_KEY', 'SweepRun', 'SweepReport',
    'plan_runs', 'run_state', 'check_cfg_options', 'train_command',
    'marker_content', 'read_marker', 'run_sweep', 'slurm_script'
]

#: written into a run's work dir after its training command exited with 0
MARKER = 'sweep_finished.json'
#: written by mmengine's CheckpointHook: the path of the latest checkpoint
LAST_CHECKPOINT = 'last_checkpoint'
#: the config key the sweep sets per run
SEED_KEY = 'randomness.seed'

NEW, INTERRUPTED, FINISHED = 'new', 'interrupted', 'finished'


@dataclass(frozen=True)
class SweepRun:
    """One training run of a sweep: a config, a seed and its work dir."""
    config: str
    seed: int
    work_dir: str

    @property
    def name(self) -> str:
        """``<config stem>/seed<k>``."""
        return f'{_stem(self.config)}/seed{self.seed}'


@dataclass
class SweepReport:
    """What a sweep did: runs trained (``finished``), skipped because they
    were already finished, and failed (with their exit status)."""
    finished: List[SweepRun] = field(default_factory=list)
    skipped: List[SweepRun] = field(default_factory=list)
    failed: Dict[SweepRun, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.failed


def _stem(config: str) -> str:
    return osp.splitext(osp.basename(config))[0]


def plan_runs(configs: Sequence[str],
              seeds: Sequence[int],
              work_root: str = 'work_dirs') -> List[SweepRun]:
    """Every config × seed, config by config, each in
    ``<work_root>/<config stem>/seed<k>``.

    Raises:
        FileNotFoundError: a config does not exist.
        ValueError: no config or seed, a negative or repeated seed, or two
            configs with the same file stem (they would share work dirs).
    """
    if not configs:
        raise ValueError('no config given')
    if not seeds:
        raise ValueError('no seed given')
    for seed in seeds:
        if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
            raise ValueError(f'seeds must be integers >= 0, got {seed!r}')
    if len(set(seeds)) != len(seeds):
        raise ValueError(f'repeated seeds in {list(seeds)}')
    stems: Dict[str, str] = {}
    for config in configs:
        if not osp.isfile(config):
            raise FileNotFoundError(f'config {config} does not exist')
        stem = _stem(config)
        if stem in stems:
            raise ValueError(f'configs {stems[stem]} and {config} have the '
                             f'same name {stem!r} and would share work dirs')
        stems[stem] = config
    return [
        SweepRun(config, seed, osp.join(work_root, _stem(config),
                                        f'seed{seed}')) for config in configs
        for seed in seeds
    ]


def run_state(run: SweepRun) -> str:
    """``'finished'``, ``'interrupted'`` or ``'new'`` (see the module)."""
    if osp.isfile(osp.join(run.work_dir, MARKER)):
        return FINISHED
    if osp.isfile(osp.join(run.work_dir, LAST_CHECKPOINT)):
        return INTERRUPTED
    return NEW


def check_cfg_options(cfg_options: Sequence[str]) -> List[str]:
    """The user's ``KEY=VALUE`` options, checked.

    Raises:
        ValueError: an option without ``=``, or one that sets the seed
            (the sweep sets ``randomness.seed`` per run).
    """
    out = []
    for option in cfg_options:
        key, sep, _ = option.partition('=')
        if not sep or not key:
            raise ValueError(f'--cfg-options takes KEY=VALUE, got {option!r}')
        if key == SEED_KEY:
            raise ValueError(f'{option!r}: the sweep sets {SEED_KEY} for each '
                             'run; choose seeds with --seeds / --seed-list')
        out.append(option)
    return out


def train_command(run: SweepRun,
                  tools_dir: str,
                  gpus: int = 1,
                  cfg_options: Sequence[str] = (),
                  train_args: Sequence[str] = (),
                  resume: bool = False,
                  python: str = sys.executable,
                  launcher: Optional[str] = None) -> List[str]:
    """The command that trains ``run``.

    ``python tools/train.py CONFIG --work-dir DIR`` (or
    ``bash tools/dist_train.sh CONFIG GPUS --work-dir DIR`` for several
    GPUs; with ``launcher`` — ``'slurm'`` — train.py with that launcher),
    then ``--resume``, the pass-through ``train_args`` and
    ``--cfg-options <cfg_options> randomness.seed=<k>``.
    """
    if gpus < 1:
        raise ValueError(f'gpus must be >= 1, got {gpus}')
    if launcher is not None:
        cmd = [
            python, '-u',
            osp.join(tools_dir, 'train.py'), run.config, '--work-dir',
            run.work_dir, '--launcher', launcher
        ]
    elif gpus == 1:
        cmd = [
            python,
            osp.join(tools_dir, 'train.py'), run.config, '--work-dir',
            run.work_dir
        ]
    else:
        cmd = [
            'bash',
            osp.join(tools_dir, 'dist_train.sh'), run.config,
            str(gpus), '--work-dir', run.work_dir
        ]
    if resume:
        cmd.append('--resume')
    cmd.extend(train_args)
    cmd.extend([
        '--cfg-options', *check_cfg_options(cfg_options),
        f'{SEED_KEY}={run.seed}'
    ])
    return cmd


def marker_content(
    run: SweepRun,
    cfg_options: Sequence[str] = (),
    train_args: Sequence[str] = ()
) -> Dict:
    """What :data:`MARKER` records (its presence is what counts)."""
    return dict(
        config=run.config,
        seed=run.seed,
        work_dir=run.work_dir,
        cfg_options=list(cfg_options),
        train_args=list(train_args))


def read_marker(run: SweepRun) -> Optional[Dict]:
    """The run's marker, ``None`` without one (or if it is not JSON)."""
    path = osp.join(run.work_dir, MARKER)
    try:
        with open(path) as f:
            data = json.load(f)
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _write_marker(run: SweepRun, content: Dict) -> None:
    path = osp.join(run.work_dir, MARKER)
    tmp = path + '.tmp'
    with open(tmp, 'w') as f:
        json.dump(content, f, indent=2)
        f.write('\n')
    os.replace(tmp, path)


def run_sweep(runs: Sequence[SweepRun],
              tools_dir: str,
              gpus: int = 1,
              cfg_options: Sequence[str] = (),
              train_args: Sequence[str] = (),
              dry_run: bool = False,
              python: str = sys.executable,
              env: Optional[Dict[str, str]] = None,
              log: Callable[[str], None] = print) -> SweepReport:
    """Train ``runs`` one after another (skip finished, resume interrupted).

    Args:
        runs: from :func:`plan_runs`.
        tools_dir: the folder of ``train.py`` / ``dist_train.sh``.
        gpus: GPUs per run (``> 1``: ``dist_train.sh``).
        cfg_options: ``KEY=VALUE`` overrides for every run.
        train_args: further ``train.py`` arguments, passed as they are.
        dry_run: only print what would run.
        python: the interpreter for ``train.py``.
        env: the environment of the runs (default: this process's).
        log: where progress lines go.

    Returns:
        SweepReport: with ``dry_run``, the runs that would train are listed
        as ``finished``.
    """
    cfg_options = check_cfg_options(cfg_options)
    report = SweepReport()
    total = len(runs)
    for i, run in enumerate(runs, 1):
        head = f'[sweep {i}/{total}] {run.config} seed {run.seed}'
        state = run_state(run)
        wanted = marker_content(run, cfg_options, train_args)
        if state == FINISHED:
            report.skipped.append(run)
            marker = read_marker(run) or {}
            note = ''
            if any(
                    marker.get(k) != wanted[k]
                    for k in ('cfg_options', 'train_args')):
                note = (f' (with other options: {marker.get("cfg_options")}'
                        f' {marker.get("train_args")}; delete '
                        f'{osp.join(run.work_dir, MARKER)} to train it '
                        'again)')
            log(f'{head}: finished, skipped ({run.work_dir}){note}')
            continue
        cmd = train_command(
            run,
            tools_dir,
            gpus,
            cfg_options,
            train_args,
            resume=state == INTERRUPTED,
            python=python)
        what = 'resume' if state == INTERRUPTED else 'start'
        log(f'{head}: {what}\n  {shlex.join(cmd)}')
        if dry_run:
            report.finished.append(run)
            continue
        os.makedirs(run.work_dir, exist_ok=True)
        start = time.time()
        returncode = subprocess.call(cmd, env=env)
        took = time.time() - start
        if returncode == 0:
            _write_marker(run, wanted)
            report.finished.append(run)
            log(f'{head}: finished in {took:.1f} s')
        else:
            report.failed[run] = returncode
            log(f'{head}: FAILED with exit status {returncode} after '
                f'{took:.1f} s (see {run.work_dir})')
    log(f'[sweep] {len(report.finished)} '
        f'{"to run" if dry_run else "trained"}, {len(report.skipped)} '
        f'skipped (finished), {len(report.failed)} failed' +
        ''.join(f'\n  failed: {r.name} (exit {c})'
                for r, c in report.failed.items()))
    return report


def slurm_script(runs: Sequence[SweepRun],
                 partition: str,
                 tools_dir: str,
                 workdir: str,
                 gpus: int = 1,
                 gpus_per_node: Optional[int] = None,
                 cpus_per_task: int = 5,
                 job_name: str = 'sweep',
                 max_parallel: Optional[int] = None,
                 log_dir: str = 'work_dirs',
                 cfg_options: Sequence[str] = (),
                 train_args: Sequence[str] = (),
                 sbatch_args: Sequence[str] = (),
                 python: str = 'python') -> str:
    """An ``sbatch`` job-array script: array task ``i`` trains ``runs[i]``.

    Each task follows the same rules as :func:`run_sweep`: it skips a
    finished run, adds ``--resume`` to an interrupted one, starts
    ``gpus`` tasks with ``srun`` (``train.py --launcher slurm``) and writes
    :data:`MARKER` after a successful exit.

    Args:
        workdir: the folder the job ``cd``s into (config and work-dir paths
            are relative to it).
        gpus: GPUs (slurm tasks) per run; ``gpus_per_node`` defaults to
            ``min(gpus, 8)``.
        max_parallel: at most this many array tasks at once (``%K``).
        log_dir: where slurm writes ``<job>-<array id>_<task>.out``.
        sbatch_args: more ``#SBATCH`` options, e.g. ``--time=24:00:00``.
    """
    if not runs:
        raise ValueError('no run to put in the job array')
    cfg_options = check_cfg_options(cfg_options)
    if gpus < 1:
        raise ValueError(f'gpus must be >= 1, got {gpus}')
    per_node = gpus_per_node or min(gpus, 8)
    if gpus % per_node:
        raise ValueError(f'gpus ({gpus}) must be a multiple of '
                         f'gpus_per_node ({per_node})')
    array = f'0-{len(runs) - 1}'
    if max_parallel:
        array += f'%{max_parallel}'
    q = shlex.quote
    lines = [
        '#!/usr/bin/env bash',
        f'# Generated by tools/sweep.py: {len(runs)} runs (configs x seeds);',
        '# array task i trains run i. A finished run (sweep_finished.json in',
        '# its work dir) is skipped; an interrupted one (last_checkpoint, no',
        '# sweep_finished.json) resumes with --resume.',
        f'#SBATCH --job-name={job_name}',
        f'#SBATCH --partition={partition}',
        f'#SBATCH --array={array}',
        f'#SBATCH --nodes={gpus // per_node}',
        f'#SBATCH --ntasks={gpus}',
        f'#SBATCH --ntasks-per-node={per_node}',
        f'#SBATCH --gres=gpu:{per_node}',
        f'#SBATCH --cpus-per-task={cpus_per_task}',
        f'#SBATCH --output={osp.join(log_dir, job_name)}-%A_%a.out',
        *[f'#SBATCH {arg}' for arg in sbatch_args],
        'set -euo pipefail',
        f'cd {q(workdir)}',
        f'export PYTHONPATH={q(osp.dirname(tools_dir))}'
        '${PYTHONPATH:+:$PYTHONPATH}',
        '',
        'case "$SLURM_ARRAY_TASK_ID" in',
    ]
    for i, run in enumerate(runs):
        cmd = train_command(
            run,
            tools_dir,
            gpus, (),
            train_args,
            python=python,
            launcher='slurm')
        cut = cmd.index('--cfg-options')
        opts = ['--cfg-options', *cfg_options, f'{SEED_KEY}={run.seed}']
        marker = json.dumps(marker_content(run, cfg_options, train_args))
        lines += [
            f'  {i})  # {run.name}',
            f'    WORK_DIR={q(run.work_dir)}',
            f'    MARKER={q(marker)}',
            f'    CMD=({" ".join(q(c) for c in cmd[:cut])})',
            f'    OPTS=({" ".join(q(c) for c in opts)})',
            '    ;;',
        ]
    lines += [
        '  *)',
        '    echo "no run for array task $SLURM_ARRAY_TASK_ID" >&2',
        '    exit 1',
        '    ;;',
        'esac',
        '',
        f'if [[ -f "$WORK_DIR/{MARKER}" ]]; then',
        '  echo "finished, skipped: $WORK_DIR"',
        '  exit 0',
        'fi',
        'RESUME=()',
        f'if [[ -f "$WORK_DIR/{LAST_CHECKPOINT}" ]]; then',
        '  RESUME=(--resume)',
        'fi',
        'mkdir -p "$WORK_DIR"',
        'srun --kill-on-bad-exit=1 "${CMD[@]}" ${RESUME[@]+"${RESUME[@]}"} '
        '"${OPTS[@]}"',
        f'printf \'%s\\n\' "$MARKER" > "$WORK_DIR/{MARKER}"',
        '',
    ]
    return '\n'.join(lines)
