"""tools/analysis/*.py and tools/benchmark_losses.py as a user runs them.
(The numbers: tests/test_apis/test_analysis/ and test_benchmark.py.)"""
import json

import pytest

from tests.helpers.distill_runs import distill_run
from tests.helpers.training import run_tool

pytestmark = pytest.mark.slow


def test_plot_adw(tmp_path):
    proc = run_tool('analysis/plot_adw.py', '--topk', '5', '--out-dir',
                    tmp_path, '--formats', 'png', 'svg')
    assert proc.returncode == 0, proc.stdout[-3000:]
    for ext in ('png', 'svg', 'json'):
        assert str(tmp_path / f'adw_d5.{ext}') in proc.stdout
        assert (tmp_path / f'adw_d5.{ext}').stat().st_size > 0
    assert json.loads((tmp_path / 'adw_d5.json').read_text())['topk'] == 5


def test_logit_relations(tmp_path_factory, tmp_path):
    run = distill_run('ldrld', tmp_path_factory.getbasetemp())
    proc = run_tool('analysis/logit_relations.py', run['config'],
                    run['checkpoint'], '--out-dir', tmp_path, '--num-samples',
                    '4', '--batch-size', '4', '--topk', '3')
    assert proc.returncode == 0, proc.stdout[-3000:]
    stats = json.loads((tmp_path / 'logit_relations.json').read_text())
    assert stats['num_samples'] == 4 and stats['topk'] == 3
    assert (tmp_path / 'logit_relations.png').stat().st_size > 0


def test_sdd_regions(tmp_path_factory, tmp_path):
    run = distill_run('sdd', tmp_path_factory.getbasetemp())
    proc = run_tool('analysis/sdd_regions.py', run['config'],
                    run['checkpoint'], '--out-dir', tmp_path, '--num-samples',
                    '4', '--batch-size', '4', '--scales', '1', '2',
                    '--direct-pooling')
    assert proc.returncode == 0, proc.stdout[-3000:]
    stats = json.loads((tmp_path / 'sdd_regions.json').read_text())
    assert stats['scales'] == [1, 2] and stats['num_samples'] == 4
    assert stats['settings']['base_grid'] is None


def test_benchmark_quick_table_and_unknown_loss():
    proc = run_tool('benchmark_losses.py', '--quick', '--device', 'cpu',
                    '--losses', 'LDRLD')
    assert proc.returncode == 0, proc.stdout[-3000:]
    rows = [r for r in proc.stdout.splitlines() if r.startswith('| ')]
    assert rows[0].startswith('| loss |') and len(rows) == 1 + 4
    assert all('| 1.00 |' in r for r in rows if r.startswith('| KD |'))
    proc = run_tool('benchmark_losses.py', '--losses', 'XYZ')
    assert proc.returncode == 2
    assert "benchmark_losses: error: unknown losses ['XYZ']" in proc.stdout
