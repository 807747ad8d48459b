"""Tests of ``tools/analysis/``: files are written and the numbers are sane.

``logit_relations.py`` and ``sdd_regions.py`` run on checkpoints written by
real (tiny) training runs of the ImageNet configs on generated data.
"""
import importlib.util
import json
import math

import pytest

from tests.helpers.distill_runs import distill_run
from tests.helpers.training import TOOLS


def _load_tool(name):
    path = TOOLS / 'analysis' / f'{name}.py'
    spec = importlib.util.spec_from_file_location(f'analysis_{name}', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _is_prob(x):
    return x is not None and 0.0 <= x <= 1.0


def test_plot_adw(tmp_path):
    tool = _load_tool('plot_adw')
    out = tool.main(['--topk', '7', '--out-dir', str(tmp_path), '--formats',
                     'png', 'svg'])
    for ext in ('png', 'svg', 'json'):
        path = tmp_path / f'adw_d7.{ext}'
        assert path.exists() and path.stat().st_size > 0
    numbers = json.loads((tmp_path / 'adw_d7.json').read_text())
    # METHODS.md: for d=7 the weights sum to 7.7237, ADW(1,2) = 0.6886
    assert numbers['sum'] == pytest.approx(7.7237, abs=1e-4)
    assert numbers['matrix'][0][1] == pytest.approx(0.6886, abs=1e-4)
    assert numbers['num_terms'] == 22 and len(numbers['pairs']) == 21
    assert all(numbers['matrix'][r][c] is None for r in range(7)
               for c in range(r + 1))
    assert out['files'][-1].endswith('.json')
    # other constants: the closed form
    out = tool.main(['-d', '3', '--eps', '0.5', '--delta', '1', '--lam',
                     '0.1', '--out-dir', str(tmp_path)])
    expected = 1 / (2 + 0.5) * math.exp(-0.1 * 4)  # ranks (1, 3)
    assert out['matrix'][0][2] == pytest.approx(expected)


def test_logit_relations(tmp_path_factory, tmp_path):
    run = distill_run('ldrld', tmp_path_factory.getbasetemp())
    tool = _load_tool('logit_relations')
    out = tool.main([str(run['config']), str(run['checkpoint']),
                     '--out-dir', str(tmp_path), '--num-samples', '6',
                     '--batch-size', '4', '--topk', '4'])
    assert (tmp_path / 'logit_relations.png').stat().st_size > 0
    stats = json.loads((tmp_path / 'logit_relations.json').read_text())
    assert stats['num_samples'] == 6 and stats['topk'] == 4
    assert stats['tau'] == 1.0  # the config's LDRLD tau
    for name in ('teacher_relation', 'student_relation'):
        rel = stats[name]
        for r in range(4):
            assert rel[r][r] == pytest.approx(0.5)
            for c in range(4):
                assert _is_prob(rel[r][c])
                assert rel[r][c] + rel[c][r] == pytest.approx(1.0)
    # the student ranks its own top-d: it prefers rank r over r' > r
    assert all(stats['student_relation'][r][c] >= 0.5 for r in range(4)
               for c in range(r + 1, 4))
    kl = stats['pair_kl']
    assert all(kl[r][c] is None for r in range(4) for c in range(r + 1))
    assert all(kl[r][c] >= 0 for r in range(4) for c in range(r + 1, 4))
    assert len(stats['pair_kl_list']) == 6
    for key in ('top1_agreement', 'teacher_top1', 'student_top1'):
        assert _is_prob(stats[key])
    assert out['files'][-1].endswith('logit_relations.json')


def test_sdd_regions(tmp_path_factory, tmp_path):
    run = distill_run('sdd', tmp_path_factory.getbasetemp())
    tool = _load_tool('sdd_regions')
    tool.main([str(run['config']), str(run['checkpoint']), '--out-dir',
               str(tmp_path), '--num-samples', '8', '--batch-size', '4',
               '--num-examples', '3', '--formats', 'png', 'svg'])
    for name in ('sdd_regions.png', 'sdd_regions.svg',
                 'sdd_region_examples.png', 'sdd_regions.json'):
        assert (tmp_path / name).stat().st_size > 0
    stats = json.loads((tmp_path / 'sdd_regions.json').read_text())
    assert stats['scales'] == [1, 2]  # the config's recorder (R34 -> R18)
    assert stats['num_samples'] == 8
    assert set(stats['models']) == {'teacher', 'student'}
    for model in stats['models'].values():
        assert _is_prob(model['global_top1'])
        for scale, frac in model['per_scale'].items():
            parts = [frac[c] for c in tool.CATEGORIES]
            assert all(_is_prob(p) for p in parts)
            assert sum(parts) == pytest.approx(1.0)
            assert frac['consistent'] + frac['complementary'] == \
                pytest.approx(1.0)
            assert _is_prob(frac['region_top1'])
            assert frac['num_regions'] == int(scale)**2
        # region 0 is the global region: never complementary with itself
        assert model['per_scale']['1']['complementary'] == 0.0
    assert len(stats['examples']) == 3
    example = stats['examples'][0]
    assert len(example['teacher']['regions']['2']) == 2
    assert example['teacher']['global_pred'] == \
        example['teacher']['regions']['1'][0][0]


def test_sdd_region_settings():
    """The recorder settings come from the config, else defaults, and the
    command-line options override them."""
    from mmengine.config import Config
    tool = _load_tool('sdd_regions')
    regions = dict(type='MultiScaleLogits', source='backbone.layer4',
                   fc='head.fc', scales=(1, 2), base_grid=4)
    cfg = Config(dict(model=dict(distiller=dict(
        student_recorders=dict(regions=dict(regions)),
        teacher_recorders=dict(regions=dict(regions, scales=(1, 3)))))))
    assert tool.region_settings(cfg) == dict(
        source='backbone.layer4', fc='head.fc', scales=(1, 3), base_grid=4)
    plain = Config(dict(model=dict(type='ImageClassifier')))
    assert tool.region_settings(plain, dict(scales=[2, 1], fc=None)) == dict(
        source='backbone', fc='head.fc', scales=(2, 1), base_grid=4)
    args = tool.parse_args(['c.py', 'k.pth', '--scales', '1', '2',
                            '--direct-pooling', '--formats', 'svg'])
    assert args.scales == [1, 2] and args.direct_pooling
    assert args.formats == ['svg']
