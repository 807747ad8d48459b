"""tools/sweep.py and tools/analysis/summarize_runs.py as a user runs them:
a real tiny sweep (two seeds of a distillation config on generated
ImageNet-format data, one run interrupted after its first epoch), a second
sweep that skips the finished runs, and the summary of the logs."""
import json
import os
from pathlib import Path

import pytest

from tests.helpers.datasets import make_imagenet
from tests.helpers.training import imagenet_cli_options, run_tool

pytestmark = pytest.mark.slow

KD = 'configs/kd_r34_r18_imagenet.py'
STEM = 'kd_r34_r18_imagenet'


def _options(data, max_epochs):
    """Tiny-run overrides, without the seed (the sweep sets it)."""
    return [
        o for o in imagenet_cli_options(
            data, batch_size=2, max_epochs=max_epochs, iters=1)
        if not o.startswith('randomness.seed=')
    ]


def _val_curve(work_dir):
    """epoch -> the student's top-1, straight from mmengine's log lines."""
    curve = {}
    for path in sorted(Path(work_dir).glob('*/vis_data/scalars.json')):
        for line in path.read_text().splitlines():
            entry = json.loads(line)
            if 'accuracy/top1' in entry:
                curve[entry['step']] = entry['accuracy/top1']
    return curve


def test_sweep_resumes_skips_and_summarizes(tmp_path):
    data = make_imagenet(
        tmp_path / 'imagenet', num_classes=4, per_class=2, val_per_class=1)
    root = tmp_path / 'work_dirs'
    seed1 = root / STEM / 'seed1'

    # seed 1 stopped after epoch 1 of 2, as a killed run leaves its work
    # dir: last_checkpoint -> epoch_1.pth, no sweep_finished.json
    proc = run_tool('train.py', KD, '--work-dir', seed1, '--cfg-options',
                    *_options(data, 1), 'randomness.seed=1')
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert (seed1 / 'last_checkpoint').read_text().endswith('epoch_1.pth')

    proc = run_tool('sweep.py', KD, '--seeds', '2', '--work-root', root,
                    '--cfg-options', *_options(data, 2))
    assert proc.returncode == 0, proc.stdout[-4000:]
    out = proc.stdout
    assert f'[sweep 1/2] {KD} seed 0: start' in out
    assert f'[sweep 2/2] {KD} seed 1: resume' in out
    assert 'resumed epoch: 1' in out
    assert '2 trained, 0 skipped (finished), 0 failed' in out
    for k in (0, 1):
        work = root / STEM / f'seed{k}'
        marker = json.loads((work / 'sweep_finished.json').read_text())
        assert (marker['config'], marker['seed']) == (KD, k)
        assert (work / 'last_checkpoint').read_text().endswith('epoch_2.pth')
        dumped = (work / f'{STEM}.py').read_text()
        assert f'seed={k}' in dumped and 'max_epochs=2' in dumped
    assert len(list(seed1.glob('2*/vis_data'))) == 2  # started twice
    stamps = sorted(p.name for p in root.glob(f'{STEM}/seed*/2*'))

    proc = run_tool('sweep.py', KD, '--seeds', '2', '--work-root', root,
                    '--cfg-options', *_options(data, 2))
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert proc.stdout.count(': finished, skipped') == 2
    assert '0 trained, 2 skipped (finished), 0 failed' in proc.stdout
    assert sorted(p.name for p in root.glob(f'{STEM}/seed*/2*')) == stamps

    out_dir = tmp_path / 'summary'
    proc = run_tool('analysis/summarize_runs.py', root, '--out-dir', out_dir)
    assert proc.returncode == 0, proc.stdout[-3000:]
    curves = [_val_curve(root / STEM / f'seed{k}') for k in (0, 1)]
    assert all(sorted(c) == [1, 2] for c in curves)
    best = [max(c.values()) for c in curves]
    best_epoch = [min(e for e in c if c[e] == b) for c, b in zip(curves, best)]
    last = [c[2] for c in curves]
    # two runs: mean (a + b) / 2, sample std |a - b| / sqrt(2)
    row = (f'| {STEM} | 2 / 2 | {best[0]:.2f} ({best_epoch[0]}), '
           f'{best[1]:.2f} ({best_epoch[1]}) | {last[0]:.2f}, {last[1]:.2f} '
           f'| {(best[0] + best[1]) / 2:.2f} ± '
           f'{abs(best[0] - best[1]) / 2**0.5:.2f} '
           f'| {(last[0] + last[1]) / 2:.2f} ± '
           f'{abs(last[0] - last[1]) / 2**0.5:.2f} | 71.03 (D) | ')
    md = (out_dir / 'summary.md').read_text()
    assert row in md, md
    assert 'incomplete' not in md.split('\n\n')[0]
    assert (out_dir / 'summary.csv').is_file()
    assert (out_dir / 'runs.csv').read_text().count('\n') == 3
    png = out_dir / 'curves_KD.png'
    assert png.read_bytes()[:4] == b'\x89PNG'
    assert str(png) in proc.stdout


def test_dry_run_prints_commands_with_pass_through_args(tmp_path):
    root = tmp_path / 'wd'
    proc = run_tool('sweep.py', KD, 'configs/dkd_r34_r18_imagenet.py',
                    '--seed-list', '4', '7', '--gpus', '2', '--work-root',
                    root, '--dry-run', '--cfg-options',
                    'train_cfg.max_epochs=1', '--', '--auto-scale-lr')
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert proc.stdout.count('tools/dist_train.sh') == 4
    assert (f'{KD} 2 --work-dir {root}/{STEM}/seed7 --auto-scale-lr '
            '--cfg-options train_cfg.max_epochs=1 randomness.seed=7') \
        in proc.stdout
    assert '4 to run' in proc.stdout
    assert not root.exists()


def test_slurm_script_written_and_submitted(tmp_path):
    bin_dir = tmp_path / 'bin'
    bin_dir.mkdir()
    sbatch = bin_dir / 'sbatch'
    sbatch.write_text('#!/usr/bin/env bash\n'
                      f'echo "$@" > {tmp_path}/sbatch_args\n'
                      'echo "Submitted batch job 42"\n')
    sbatch.chmod(0o755)
    script = tmp_path / 'sweep.sbatch'
    proc = run_tool(
        'sweep.py',
        KD,
        '--seeds',
        '3',
        '--slurm',
        'gpu',
        '--gpus',
        '8',
        '--script',
        script,
        '--submit',
        '--work-root',
        tmp_path / 'wd',
        env=dict(PATH=f'{bin_dir}{os.pathsep}'
                 f'{os.environ["PATH"]}'))
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert f'{script}: 3 array tasks' in proc.stdout
    assert 'Submitted batch job 42' in proc.stdout
    assert (tmp_path / 'sbatch_args').read_text().strip() == str(script)
    text = script.read_text()
    assert '#SBATCH --partition=gpu' in text
    assert '#SBATCH --array=0-2' in text
    assert '#SBATCH --ntasks=8' in text
    assert 'randomness.seed=2)' in text


def test_bad_options_are_clear_errors(tmp_path):
    proc = run_tool('sweep.py', KD, '--work-root', tmp_path, '--dry-run',
                    '--cfg-options', 'randomness.seed=3')
    assert proc.returncode == 2
    assert 'sets randomness.seed' in proc.stdout
    proc = run_tool('sweep.py', 'configs/nope.py', '--dry-run')
    assert proc.returncode == 2 and 'configs/nope.py does not exist' in \
        proc.stdout
    proc = run_tool('analysis/summarize_runs.py', tmp_path)
    assert proc.returncode == 2 and 'no mmengine run' in proc.stdout
