"""``mmkd_logits.apis.analysis``: files are written and the numbers are sane.

The relations and the SDD regions are computed on checkpoints written by
real (tiny) training runs of the ImageNet configs on generated data.
(The command lines: tests/test_tools/test_analysis_tools.py.)
"""
import json
import math

import pytest

from mmkd_logits.apis import analysis
from tests.helpers.distill_runs import distill_run


def _is_prob(x):
    return x is not None and 0.0 <= x <= 1.0


def test_adw(tmp_path):
    numbers = analysis.adw_matrix(7)
    files = analysis.plot_adw(numbers, str(tmp_path / 'adw_d7'),
                              ('png', 'svg'))
    assert files == [
        str(tmp_path / 'adw_d7.png'),
        str(tmp_path / 'adw_d7.svg')
    ]
    for path in files:
        assert (tmp_path / path).stat().st_size > 0
    # docs/methods/ldrld.md: for d=7 the weights sum to 7.7237, and
    # ADW(1,2) = 0.6886
    assert numbers['sum'] == pytest.approx(7.7237, abs=1e-4)
    assert numbers['matrix'][0][1] == pytest.approx(0.6886, abs=1e-4)
    assert numbers['num_terms'] == 22 and len(numbers['pairs']) == 21
    assert all(numbers['matrix'][r][c] is None for r in range(7)
               for c in range(r + 1))
    # other constants: the closed form
    out = analysis.adw_matrix(3, eps=0.5, delta=1.0, lam=0.1)
    expected = 1 / (2 + 0.5) * math.exp(-0.1 * 4)  # ranks (1, 3)
    assert out['matrix'][0][2] == pytest.approx(expected)
    with pytest.raises(ValueError, match='topk must be an integer >= 2'):
        analysis.adw_matrix(1)


@pytest.mark.slow
def test_logit_relations(tmp_path_factory, tmp_path):
    run = distill_run('ldrld', tmp_path_factory.getbasetemp())
    out = analysis.analyse_relations(
        str(run['config']),
        str(run['checkpoint']),
        str(tmp_path),
        topk=4,
        num_samples=6,
        batch_size=4)
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


@pytest.mark.slow
def test_sdd_regions(tmp_path_factory, tmp_path):
    run = distill_run('sdd', tmp_path_factory.getbasetemp())
    analysis.analyse_regions(
        str(run['config']),
        str(run['checkpoint']),
        str(tmp_path),
        num_examples=3,
        formats=('png', 'svg'),
        num_samples=8,
        batch_size=4)
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
            parts = [frac[c] for c in analysis.CATEGORIES]
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
    regions = dict(
        type='MultiScaleLogits',
        source='backbone.layer4',
        fc='head.fc',
        scales=(1, 2),
        base_grid=4)
    cfg = Config(
        dict(
            model=dict(
                distiller=dict(
                    student_recorders=dict(regions=dict(regions)),
                    teacher_recorders=dict(
                        regions=dict(regions, scales=(1, 3)))))))
    assert analysis.region_settings(cfg) == dict(
        source='backbone.layer4', fc='head.fc', scales=(1, 3), base_grid=4)
    plain = Config(dict(model=dict(type='ImageClassifier')))
    assert analysis.region_settings(plain, dict(scales=[2, 1],
                                                fc=None)) == dict(
                                                    source='backbone',
                                                    fc='head.fc',
                                                    scales=(2, 1),
                                                    base_grid=4)


def test_checkpoint_parser_and_loader_args(tmp_path):
    parser = analysis.common.checkpoint_parser('doc', 'work_dirs/x')
    args = parser.parse_args([
        'c.py', 'k.pth', '--num-samples', '8', '--split', 'test',
        '--trust-checkpoint', 'k.pth', '--cfg-options', 'a.b=1'
    ])
    assert args.out_dir == 'work_dirs/x' and args.formats == ['png']
    assert args.trust_checkpoint == ['k.pth']
    assert analysis.common.loader_args(args) == dict(
        cfg_options={'a.b': 1},
        split='test',
        num_samples=8,
        batch_size=32,
        device='cpu')
