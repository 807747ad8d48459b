"""Summaries of runs (mmkd_logits.apis.summarize) from hand-written logs in
mmengine 0.10's exact format, against hand-computed numbers.

The files copy what a real ``tools/train.py`` run writes (checked on a
2-epoch distillation run): ``<work_dir>/<timestamp>/<timestamp>.log``,
``<timestamp>/vis_data/{scalars.json,<timestamp>.json,config.py}`` and the
config dumped as ``<work_dir>/<config name>.py``; a resumed run adds a
second timestamp folder.
"""
import csv
import json
from pathlib import Path

import pytest

from mmkd_logits.apis.published import load_published
from mmkd_logits.apis.summarize import (find_work_dirs, mean_std, read_config,
                                        read_run, summarize, summarize_runs)

TEACHER_TOP1 = 99.0  # logged as teacher.accuracy/top1: must never be read

CONFIG_DUMP = """\
auto_scale_lr = dict(base_batch_size=64)
custom_imports = dict(
    allow_failed_imports=False, imports=[
        'mmkd_logits',
    ])
default_scope = 'mmpretrain'
load_from = None
randomness = dict(deterministic=False, seed={seed})
resume = False
train_cfg = dict(by_epoch=True, max_epochs={max_epochs}, val_interval=1)
val_cfg = dict(type='mmrazor.SingleTeacherDistillValLoop')
work_dir = '{work_dir}'
"""


def _train_line(epoch, it):
    return {
        'lr': 0.05,
        'data_time': 0.0098,
        'loss': 3.4452,
        'student.loss': 3.4387,
        'distill.loss_kd': 0.0064,
        'time': 0.1512,
        'diag/teacher_top1': 0.0,
        'epoch': epoch,
        'iter': it,
        'step': it
    }


def _val_line(epoch, top1, teacher=True):
    line = {'accuracy/top1': top1, 'accuracy/top5': min(100.0, top1 + 20)}
    if teacher:
        line.update({
            'teacher.accuracy/top1': TEACHER_TOP1,
            'teacher.accuracy/top5': 100.0
        })
    line.update({'data_time': 0.0014, 'time': 0.0188, 'step': epoch})
    return line


def write_run(work_dir,
              config,
              seed,
              max_epochs,
              starts,
              teacher=True,
              dump_config=True,
              torn_tail=False):
    """One run; ``starts`` = one {epoch: student top-1} per start of
    training (a resumed run has several), in time order."""
    work_dir = Path(work_dir)
    work_dir.mkdir(parents=True)
    dump = CONFIG_DUMP.format(
        seed=seed, max_epochs=max_epochs, work_dir=work_dir)
    if dump_config:
        (work_dir / f'{config}.py').write_text(dump)
    for k, curve in enumerate(starts):
        stamp = f'20240101_1200{k:02d}'
        vis = work_dir / stamp / 'vis_data'
        vis.mkdir(parents=True)
        (work_dir / stamp / f'{stamp}.log').write_text('mmengine text log\n')
        if dump_config:
            (vis / 'config.py').write_text(dump)
        lines = []
        for epoch, top1 in curve.items():
            it = 2 * (epoch - 1)
            lines += [
                _train_line(epoch, it + 1),
                _train_line(epoch, it + 2),
                _val_line(epoch, top1, teacher)
            ]
        text = ''.join(json.dumps(line) + '\n' for line in lines)
        if torn_tail:
            text += '{"lr": 0.05, "data_ti'
        (vis / 'scalars.json').write_text(text)
        (vis / f'{stamp}.json').write_text(text)
    return str(work_dir)


@pytest.fixture
def runs(tmp_path):
    root = tmp_path / 'work_dirs'
    kd = root / 'kd_r56_r20_cifar100'
    dirs = dict(
        seed0=write_run(kd / 'seed0', 'kd_r56_r20_cifar100', 0, 4, [{
            1: 10.0,
            2: 30.0,
            3: 50.0,
            4: 40.0
        }]),
        # resumed after epoch 2: the first start validated epoch 3 (10.0)
        # before it died; the second start's epoch 3 (45.0) wins
        seed1=write_run(kd / 'seed1', 'kd_r56_r20_cifar100', 1, 4, [{
            1: 20.0,
            2: 35.0,
            3: 10.0
        }, {
            3: 45.0,
            4: 60.0
        }]),
        seed2=write_run(
            kd / 'seed2',
            'kd_r56_r20_cifar100',
            2,
            4, [{
                1: 25.0,
                2: 55.0,
                3: 55.0,
                4: 50.0
            }],
            torn_tail=True),
        # stopped at epoch 2 of 4: listed, never averaged
        seed3=write_run(kd / 'seed3', 'kd_r56_r20_cifar100', 3, 4, [{
            1: 90.0,
            2: 95.0
        }]),
        mine=write_run(
            root / 'elsewhere' / 'my_run',
            'my_config',
            7,
            2, [{
                1: 12.5,
                2: 7.5
            }],
            teacher=False),
    )
    return root, dirs


def test_find_work_dirs(runs, tmp_path):
    root, dirs = runs
    assert find_work_dirs([str(root)]) == sorted(dirs.values())
    assert find_work_dirs([dirs['seed0']]) == [dirs['seed0']]
    with pytest.raises(FileNotFoundError, match='nothing'):
        find_work_dirs([str(tmp_path / 'nothing')])


def test_read_run_curves_best_last(runs):
    _, dirs = runs
    run = read_run(dirs['seed0'])
    assert (run.config, run.seed, run.max_epochs, run.starts) == \
        ('kd_r56_r20_cifar100', 0, 4, 1)
    assert run.curve == {1: 10.0, 2: 30.0, 3: 50.0, 4: 40.0}
    assert run.best == (50.0, 3) and run.last_top1 == 40.0
    assert run.complete and run.status == 'complete'

    run = read_run(dirs['seed1'])  # merged by epoch, the later start wins
    assert run.curve == {1: 20.0, 2: 35.0, 3: 45.0, 4: 60.0}
    assert run.starts == 2 and run.best == (60.0, 4)

    run = read_run(dirs['seed2'])  # a tie: the first epoch that reached it
    assert run.best == (55.0, 2) and run.last_top1 == 50.0

    run = read_run(dirs['seed3'])
    assert not run.complete
    assert run.status == 'incomplete: validated to epoch 2 of 4'

    run = read_run(dirs['mine'])
    assert (run.config, run.seed, run.best, run.last_top1) == \
        ('my_config', 7, (12.5, 1), 7.5)


def test_mean_std_is_the_sample_std():
    assert mean_std([]) == (None, None)
    assert mean_std([3.0]) == (3.0, None)
    assert mean_std([50.0, 60.0, 55.0]) == (55.0, 5.0)
    mean, std = mean_std([1.0, 2.0, 3.0, 4.0])  # var = 5 / 3
    assert mean == 2.5 and std == pytest.approx(1.2909944487358056)


def test_summary_numbers(runs):
    root, dirs = runs
    summaries = summarize([read_run(d) for d in find_work_dirs([str(root)])],
                          load_published())
    kd, mine = summaries
    assert kd.config == 'kd_r56_r20_cifar100' and kd.method == 'KD'
    assert [r.seed for r in kd.runs] == [0, 1, 2, 3]
    assert [r.seed for r in kd.complete] == [0, 1, 2]
    assert [r.seed for r in kd.incomplete] == [3]
    # best 50, 60, 55; last 40, 60, 50 (seed 3 left out)
    assert kd.best_mean == pytest.approx(55.0)
    assert kd.best_std == pytest.approx(5.0)
    assert kd.last_mean == pytest.approx(50.0)
    assert kd.last_std == pytest.approx(10.0)
    assert kd.published.top1 == 70.66
    assert kd.gap_last == pytest.approx(-20.66)
    assert kd.gap_best == pytest.approx(-15.66)

    assert mine.method == 'my_config' and mine.published is None
    assert (mine.best_mean, mine.best_std) == (12.5, None)
    assert (mine.last_mean, mine.last_std) == (7.5, None)
    assert mine.gap_last is None and mine.gap_best is None


def test_summarize_runs_writes_markdown_csv_and_png(runs, tmp_path):
    root, dirs = runs
    out = tmp_path / 'summary'
    result = summarize_runs([str(root)], str(out), load_published())
    md = (out / 'summary.md').read_text()
    assert result['markdown'] == md
    assert ('| kd_r56_r20_cifar100 | 3 / 4 | 50.00 (3), 60.00 (4), '
            '55.00 (2), *95.00 (2), incomplete* | 40.00, 60.00, 50.00, '
            '*95.00, incomplete* | 55.00 ± 5.00 | 50.00 ± 10.00 '
            '| 70.66 (D) | -20.66 | -15.66 |') in md
    assert ('| my_config | 1 / 1 | 12.50 (1) | 7.50 | 12.50 ± – '
            '| 7.50 ± – | – | – | – |') in md
    assert f'| kd_r56_r20_cifar100 | {dirs["seed3"]} | 3 | 2 / 4 | ' \
        '95.00 (2) | 95.00 | incomplete: validated to epoch 2 of 4 |' in md
    assert '**1 incomplete run(s), not in the means:**' in md
    assert 'sample standard deviations (n − 1' in md
    assert '(D) DKD (Zhao et al., CVPR 2022)' in md

    with open(out / 'summary.csv') as f:
        rows = {r['config']: r for r in csv.DictReader(f)}
    kd = rows['kd_r56_r20_cifar100']
    assert (kd['runs'], kd['complete_runs'], kd['incomplete_runs']) == \
        ('4', '3', dirs['seed3'])
    assert (kd['best_mean'], kd['best_std'], kd['last_mean'],
            kd['last_std']) == ('55.0000', '5.0000', '50.0000', '10.0000')
    assert (kd['published_top1'], kd['published_source_key'],
            kd['published_verified']) == ('70.6600', 'D', 'True')
    assert (kd['gap_last'], kd['gap_best']) == ('-20.6600', '-15.6600')
    assert (kd['method'], kd['dataset'], kd['pair']) == \
        ('KD', 'CIFAR-100', 'resnet56 → resnet20')
    mine = rows['my_config']
    assert (mine['best_std'], mine['published_top1'], mine['gap_last']) == \
        ('', '', '')

    with open(out / 'runs.csv') as f:
        per_run = list(csv.DictReader(f))
    assert [(r['seed'], r['best_top1'], r['best_epoch'], r['last_top1'],
             r['complete'], r['starts']) for r in per_run] == [
                 ('0', '50.0000', '3', '40.0000', 'True', '1'),
                 ('1', '60.0000', '4', '60.0000', 'True', '2'),
                 ('2', '55.0000', '2', '50.0000', 'True', '1'),
                 ('3', '95.0000', '2', '95.0000', 'False', '1'),
                 ('7', '12.5000', '1', '7.5000', 'True', '1'),
             ]

    pngs = sorted(p.name for p in out.glob('*.png'))
    assert pngs == ['curves_KD.png', 'curves_my_config.png']
    for name in pngs:
        assert (out / name).read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'
    assert sorted(result['files']) == sorted(
        str(out / n) for n in ['summary.md', 'summary.csv', 'runs.csv'] + pngs)


def test_run_without_config_is_incomplete(tmp_path):
    work = write_run(
        tmp_path / 'x' / 'seed4',
        'c',
        4,
        2, [{
            1: 1.0,
            2: 2.0
        }],
        dump_config=False)
    run = read_run(work)
    assert (run.config, run.seed, run.max_epochs) == ('x', 4, None)
    assert not run.complete
    assert run.status == ('incomplete: validated to epoch 2, max_epochs '
                          'unknown')


def test_iteration_based_run_is_refused(tmp_path):
    work = write_run(tmp_path / 'it', 'c', 0, 2, [{1: 1.0}])
    for path in [
            Path(work) / 'c.py', *Path(work).glob('*/vis_data/config.py')
    ]:
        path.write_text(path.read_text().replace(
            'train_cfg = dict(by_epoch=True, max_epochs=2, val_interval=1)',
            'train_cfg = dict(by_epoch=False, max_iters=100)'))
    with pytest.raises(ValueError, match='only epoch-based runs'):
        read_run(work)


def test_validation_line_without_step_is_named(tmp_path):
    work = write_run(tmp_path / 'bad', 'c', 0, 2, [{1: 1.0}])
    scalars = next(Path(work).glob('*/vis_data/scalars.json'))
    scalars.write_text('{"accuracy/top1": 3.0, "step": "one"}\n')
    with pytest.raises(ValueError, match=r'scalars.json:1: a validation'):
        read_run(work)


def test_no_run_found(tmp_path):
    (tmp_path / 'empty').mkdir()
    with pytest.raises(ValueError, match='no mmengine run'):
        summarize_runs([str(tmp_path / 'empty')], str(tmp_path / 'out'))


def test_read_config_reads_literals_without_running_code(tmp_path):
    path = tmp_path / 'c.py'
    path.write_text('import os\n'
                    "x = os.system('echo should not run')\n"
                    'train_cfg = dict(by_epoch=True, max_epochs=3)\n'
                    "pipeline = [dict(type='A', scale=(1, 2))]\n"
                    'y = dict(**train_cfg)\n')
    assert read_config(str(path)) == dict(
        train_cfg=dict(by_epoch=True, max_epochs=3),
        pipeline=[dict(type='A', scale=(1, 2))])
