"""Sweeps over configs × seeds (mmkd_logits.apis.sweep), with a stand-in
for tools/train.py that records how it was called.

The real tools/train.py runs in tests/test_tools/test_sweep_tool.py.
"""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from mmkd_logits.apis.sweep import (MARKER, SweepRun, check_cfg_options,
                                    plan_runs, read_marker, run_state,
                                    run_sweep, slurm_script, train_command)

# A stand-in for tools/train.py: appends its arguments to calls.jsonl in
# the work dir; a config whose name has "fail" exits 3, otherwise it writes
# last_checkpoint (as mmengine's CheckpointHook does) and exits 0.
FAKE_TRAIN = '''\
import json, os, sys
args = sys.argv[1:]
work_dir = args[args.index('--work-dir') + 1]
os.makedirs(work_dir, exist_ok=True)
with open(os.path.join(work_dir, 'calls.jsonl'), 'a') as f:
    f.write(json.dumps(args) + '\\n')
if 'fail' in os.path.basename(args[0]):
    sys.exit(3)
with open(os.path.join(work_dir, 'last_checkpoint'), 'w') as f:
    f.write(os.path.join(work_dir, 'epoch_2.pth'))
'''


@pytest.fixture
def setup(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    tools = tmp_path / 'tools'
    tools.mkdir()
    (tools / 'train.py').write_text(FAKE_TRAIN)
    (tmp_path / 'configs').mkdir()
    for name in ('a', 'b', 'fail'):
        (tmp_path / 'configs' / f'{name}.py').write_text('x = 1\n')
    return tmp_path, str(tools)


def calls(work_dir):
    path = Path(work_dir) / 'calls.jsonl'
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_plan_runs_orders_configs_then_seeds(setup):
    runs = plan_runs(['configs/a.py', 'configs/b.py'], [0, 2], 'wd')
    assert runs == [
        SweepRun('configs/a.py', 0, os.path.join('wd', 'a', 'seed0')),
        SweepRun('configs/a.py', 2, os.path.join('wd', 'a', 'seed2')),
        SweepRun('configs/b.py', 0, os.path.join('wd', 'b', 'seed0')),
        SweepRun('configs/b.py', 2, os.path.join('wd', 'b', 'seed2')),
    ]
    assert runs[1].name == 'a/seed2'


@pytest.mark.parametrize('configs, seeds, error, phrase', [
    (['configs/nope.py'], [0], FileNotFoundError, 'configs/nope.py'),
    (['configs/a.py', 'other/a.py'], [0], FileNotFoundError, 'other/a.py'),
    ([], [0], ValueError, 'no config'),
    (['configs/a.py'], [], ValueError, 'no seed'),
    (['configs/a.py'], [0, 0], ValueError, 'repeated seeds'),
    (['configs/a.py'], [-1], ValueError, 'integers >= 0'),
])
def test_plan_runs_rejects_bad_input(setup, configs, seeds, error, phrase):
    with pytest.raises(error, match=phrase):
        plan_runs(configs, seeds)


def test_configs_with_the_same_name_would_share_work_dirs(setup):
    tmp_path, _ = setup
    (tmp_path / 'other').mkdir()
    (tmp_path / 'other' / 'a.py').write_text('x = 1\n')
    with pytest.raises(ValueError, match="same name 'a'"):
        plan_runs(['configs/a.py', 'other/a.py'], [0])


def test_train_command():
    run = SweepRun('configs/a.py', 3, 'wd/a/seed3')
    assert train_command(
        run, 'T', python='py') == [
            'py',
            os.path.join('T', 'train.py'), 'configs/a.py', '--work-dir',
            'wd/a/seed3', '--cfg-options', 'randomness.seed=3'
        ]
    assert train_command(
        run,
        'T',
        gpus=4,
        cfg_options=['train_cfg.max_epochs=2', 'model.teacher_ckpt=t.pth'],
        train_args=['--amp', '--trust-checkpoint', 'x.pth'],
        resume=True) == [
            'bash',
            os.path.join('T',
                         'dist_train.sh'), 'configs/a.py', '4', '--work-dir',
            'wd/a/seed3', '--resume', '--amp', '--trust-checkpoint', 'x.pth',
            '--cfg-options', 'train_cfg.max_epochs=2',
            'model.teacher_ckpt=t.pth', 'randomness.seed=3'
        ]
    assert train_command(run, 'T', python='python', launcher='slurm')[:7] \
        == ['python', '-u', os.path.join('T', 'train.py'), 'configs/a.py',
            '--work-dir', 'wd/a/seed3', '--launcher']


@pytest.mark.parametrize('option, phrase', [
    ('randomness.seed=5', 'sets randomness.seed'),
    ('train_cfg.max_epochs', 'KEY=VALUE'),
    ('=3', 'KEY=VALUE'),
])
def test_cfg_options_are_checked(option, phrase):
    with pytest.raises(ValueError, match=phrase):
        check_cfg_options(['a=1', option])
    with pytest.raises(ValueError, match=phrase):
        train_command(SweepRun('c.py', 0, 'w'), 'T', cfg_options=[option])


def test_sweep_trains_then_skips_finished_runs(setup):
    _, tools = setup
    runs = plan_runs(['configs/a.py', 'configs/b.py'], [0, 1], 'wd')
    lines = []
    report = run_sweep(
        runs,
        tools,
        cfg_options=['k=v'],
        train_args=['--flag'],
        log=lines.append)
    assert report.ok and report.finished == runs and not report.skipped
    for run in runs:
        assert calls(run.work_dir) == [[
            run.config, '--work-dir', run.work_dir, '--flag', '--cfg-options',
            'k=v', f'randomness.seed={run.seed}'
        ]]
        assert run_state(run) == 'finished'
        assert read_marker(run) == dict(
            config=run.config,
            seed=run.seed,
            work_dir=run.work_dir,
            cfg_options=['k=v'],
            train_args=['--flag'])
    assert '4 trained, 0 skipped (finished), 0 failed' in lines[-1]

    lines = []
    report = run_sweep(
        runs,
        tools,
        cfg_options=['k=v'],
        train_args=['--flag'],
        log=lines.append)
    assert report.ok and report.skipped == runs and not report.finished
    assert all(len(calls(r.work_dir)) == 1 for r in runs)  # not run again
    assert all('finished, skipped' in line for line in lines[:-1])
    assert 'other options' not in ''.join(lines)

    # finished with other options: still skipped, but said so
    lines = []
    run_sweep(runs[:1], tools, cfg_options=['k=w'], log=lines.append)
    assert "other options: ['k=v'] ['--flag']" in lines[0]
    assert MARKER in lines[0]


def test_interrupted_run_resumes(setup):
    _, tools = setup
    new, interrupted = plan_runs(['configs/a.py'], [0, 1], 'wd')
    os.makedirs(interrupted.work_dir)
    Path(interrupted.work_dir, 'last_checkpoint').write_text('epoch_1.pth')
    assert run_state(new) == 'new'
    assert run_state(interrupted) == 'interrupted'
    lines = []
    report = run_sweep([new, interrupted], tools, log=lines.append)
    assert report.finished == [new, interrupted]
    assert '--resume' not in calls(new.work_dir)[0]
    assert calls(interrupted.work_dir) == [[
        'configs/a.py', '--work-dir', interrupted.work_dir, '--resume',
        '--cfg-options', 'randomness.seed=1'
    ]]
    assert ': start' in lines[0] and ': resume' in lines[2]


def test_failed_run_is_reported_and_the_sweep_goes_on(setup):
    _, tools = setup
    runs = plan_runs(['configs/fail.py', 'configs/a.py'], [0], 'wd')
    lines = []
    report = run_sweep(runs, tools, log=lines.append)
    assert not report.ok
    assert report.failed == {runs[0]: 3}
    assert report.finished == [runs[1]]
    assert run_state(runs[0]) == 'new'  # no marker, no checkpoint
    assert 'FAILED with exit status 3' in '\n'.join(lines)
    assert 'failed: fail/seed0 (exit 3)' in lines[-1]
    # the next sweep tries it again and skips the finished one
    report = run_sweep(runs, tools, log=lines.append)
    assert len(calls(runs[0].work_dir)) == 2 and report.skipped == [runs[1]]


def test_dry_run_runs_and_writes_nothing(setup):
    _, tools = setup
    runs = plan_runs(['configs/a.py'], [0, 1], 'wd')
    lines = []
    report = run_sweep(runs, tools, dry_run=True, log=lines.append)
    assert report.finished == runs
    assert not os.path.exists('wd')
    assert 'configs/a.py --work-dir wd/a/seed1 --cfg-options ' \
        'randomness.seed=1' in lines[1]
    assert '2 to run' in lines[-1]


def _fake_srun(tmp_path):
    """``srun`` that drops its own options and runs the command."""
    bin_dir = tmp_path / 'bin'
    bin_dir.mkdir()
    srun = bin_dir / 'srun'
    srun.write_text('#!/usr/bin/env bash\n'
                    'while [[ "$1" == --* ]]; do shift; done\n'
                    'exec "$@"\n')
    srun.chmod(0o755)
    return str(bin_dir)


def test_slurm_script_content(setup):
    tmp_path, tools = setup
    runs = plan_runs(['configs/a.py', 'configs/b.py'], [0, 1], 'wd')
    script = slurm_script(
        runs,
        'gpu-part',
        tools,
        str(tmp_path),
        gpus=16,
        gpus_per_node=8,
        cpus_per_task=4,
        job_name='kd',
        max_parallel=2,
        log_dir='wd',
        cfg_options=['k=v'],
        train_args=['--flag'],
        sbatch_args=['--time=24:00:00'])
    lines = script.splitlines()
    assert lines[0] == '#!/usr/bin/env bash'
    for line in [
            '#SBATCH --job-name=kd', '#SBATCH --partition=gpu-part',
            '#SBATCH --array=0-3%2', '#SBATCH --nodes=2',
            '#SBATCH --ntasks=16', '#SBATCH --ntasks-per-node=8',
            '#SBATCH --gres=gpu:8', '#SBATCH --cpus-per-task=4',
            '#SBATCH --output=wd/kd-%A_%a.out', '#SBATCH --time=24:00:00',
            f'cd {tmp_path}', '  3)  # b/seed1', '    WORK_DIR=wd/b/seed1',
            f'    CMD=(python -u {tools}/train.py configs/b.py --work-dir '
            'wd/b/seed1 --launcher slurm --flag)',
            '    OPTS=(--cfg-options k=v randomness.seed=1)',
            'if [[ -f "$WORK_DIR/sweep_finished.json" ]]; then',
            'if [[ -f "$WORK_DIR/last_checkpoint" ]]; then',
            'srun --kill-on-bad-exit=1 "${CMD[@]}" ${RESUME[@]+"${RESUME[@]}"}'
            ' "${OPTS[@]}"'
    ]:
        assert line in lines, line
    # every #SBATCH line comes before the first command
    first_command = lines.index('set -euo pipefail')
    assert all(i < first_command for i, line in enumerate(lines)
               if line.startswith('#SBATCH'))


def test_slurm_script_tasks_run_skip_and_resume(setup):
    tmp_path, tools = setup
    runs = plan_runs(['configs/a.py', 'configs/fail.py'], [0, 1], 'wd')
    script = tmp_path / 'sweep.sbatch'
    script.write_text(
        slurm_script(
            runs,
            'p',
            tools,
            str(tmp_path),
            python=sys.executable,
            cfg_options=['k=v']))
    env = dict(
        os.environ,
        PATH=_fake_srun(tmp_path) + os.pathsep + os.environ['PATH'])

    def task(i):
        return subprocess.run(['bash', str(script)],
                              env=dict(env, SLURM_ARRAY_TASK_ID=str(i)),
                              stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT,
                              text=True)

    # an interrupted run resumes
    os.makedirs(runs[1].work_dir)
    Path(runs[1].work_dir, 'last_checkpoint').write_text('epoch_1.pth')
    for i in (0, 1):
        proc = task(i)
        assert proc.returncode == 0, proc.stdout
        assert run_state(runs[i]) == 'finished'
        assert read_marker(runs[i]) == dict(
            config='configs/a.py',
            seed=i,
            work_dir=runs[i].work_dir,
            cfg_options=['k=v'],
            train_args=[])
    assert calls(runs[0].work_dir) == [[
        'configs/a.py', '--work-dir', 'wd/a/seed0', '--launcher', 'slurm',
        '--cfg-options', 'k=v', 'randomness.seed=0'
    ]]
    assert calls(runs[1].work_dir)[0][5] == '--resume'
    # a finished run is skipped
    proc = task(0)
    assert proc.returncode == 0 and 'finished, skipped' in proc.stdout
    assert len(calls(runs[0].work_dir)) == 1
    # a failing run fails its task and writes no marker
    proc = task(2)
    assert proc.returncode == 3 and run_state(runs[2]) == 'new'
    # no run for this task
    proc = task(9)
    assert proc.returncode == 1 and 'no run for array task 9' in proc.stdout


def test_slurm_script_rejects_bad_layouts(setup):
    _, tools = setup
    runs = plan_runs(['configs/a.py'], [0], 'wd')
    with pytest.raises(ValueError, match='multiple of gpus_per_node'):
        slurm_script(runs, 'p', tools, '.', gpus=12, gpus_per_node=8)
    with pytest.raises(ValueError, match='no run'):
        slurm_script([], 'p', tools, '.')
    with pytest.raises(ValueError, match='sets randomness.seed'):
        slurm_script(runs, 'p', tools, '.', cfg_options=['randomness.seed=1'])
