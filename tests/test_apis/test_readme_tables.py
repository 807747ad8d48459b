"""The README's experiment tables generated from the model index
(mmkd_logits.apis.readme_tables)."""
from pathlib import Path

import pytest

from mmkd_logits.apis.published import PublishedResult, load_published
from mmkd_logits.apis.readme_tables import (BEGIN, END, experiment_tables,
                                            format_cell, replace_region,
                                            sync_readme)

REPO = Path(__file__).resolve().parents[2]


def entry(config, method, pair=('A', 'B'), dataset='CIFAR-100', **kw):
    return PublishedResult(
        config=config,
        config_path=f'configs/{config}.py',
        method=method,
        dataset=dataset,
        teacher=pair[0] if pair else None,
        student=pair[1] if pair else 'N',
        **kw)


def test_cells():
    assert format_cell(entry('kd_a', 'KD')) == '[config](configs/kd_a.py)'
    assert format_cell(
        entry(
            'kd_a', 'KD', top1=76.3, source='s', source_key='D',
            verified=True)) == '[config](configs/kd_a.py)<br>76.30 (D)'
    assert format_cell(
        entry('kd_a', 'KD', top1=72.0, source='s', source_key='R',
              verified=False)) == \
        '[config](configs/kd_a.py)<br>72.00 (R, unverified)'
    assert format_cell(
        entry('kd_a', 'KD', top1=76.63, source='s', source_key='S',
              verified=True, remark='ablation')) == \
        '[config](configs/kd_a.py)<br>76.63 (S, ablation)'


def test_tables_group_by_dataset_pair_and_method():
    pub = dict(top1=70.66, source='s', source_key='D', verified=True)
    results = {
        e.config: e
        for e in [
            entry('kd_ab', 'KD', **pub),
            entry('dkd_ab', 'DKD'),
            entry('kd_cd', 'KD', pair=('C', 'D')),
            # no DKD config for C -> D: an empty cell
            entry(
                'vanilla_n',
                'Vanilla',
                pair=None,
                top1=1.0,
                source='s',
                source_key='C',
                verified=True),  # not in the tables
            entry('kd_in', 'KD', dataset='ImageNet-1k', pair=('R34', 'R18')),
            entry('kd_fm', 'KD', dataset='Fashion-MNIST'),
        ]
    }
    assert experiment_tables(results) == (
        '**CIFAR-100** (teachers: the CRD / mdistiller checkpoints, see\n'
        '[CIFAR-100 teachers](#cifar-100-teachers)):\n'
        '\n'
        '| pair | KD | DKD |\n'
        '|---|---|---|\n'
        '| A → B | [config](configs/kd_ab.py)<br>70.66 (D) '
        '| [config](configs/dkd_ab.py) |\n'
        '| C → D | [config](configs/kd_cd.py) |  |\n'
        '\n'
        "**ImageNet-1K** (teachers: mmpretrain's published ResNet-34 / "
        'ResNet-50;\n'
        "the papers used torchvision's, 73.31 / 76.16; students ResNet-18 "
        '69.75,\n'
        'MobileNet-V1 68.87):\n'
        '\n'
        '| pair | KD |\n'
        '|---|---|\n'
        '| R34 → R18 | [config](configs/kd_in.py) |\n'
        '\n'
        '**Fashion-MNIST**:\n'
        '\n'
        '| pair | KD |\n'
        '|---|---|\n'
        '| A → B | [config](configs/kd_fm.py) |\n')


def test_two_configs_in_one_cell_is_an_error():
    results = {
        'kd_ab': entry('kd_ab', 'KD'),
        'kd_ls_ab': entry('kd_ls_ab', 'KD')
    }
    with pytest.raises(ValueError, match='two configs for KD A → B'):
        experiment_tables(results)


def test_replace_region():
    text = f'intro\n{BEGIN}\nold\n{END}\n\nafter\n'
    out = replace_region(text, 'new table\n')
    assert out.startswith(f'intro\n{BEGIN}\n<!-- generated from ')
    assert out.endswith(f'-->\nnew table\n\n{END}\n\nafter\n')
    assert replace_region(out, 'new table\n') == out


@pytest.mark.parametrize('text, phrase', [
    ('no markers\n', 'found it 0 times'),
    (f'{BEGIN}\n{BEGIN}\n{END}\n', 'found it 2 times'),
    (f'{END}\n{BEGIN}\n', 'comes before'),
])
def test_replace_region_needs_one_ordered_pair_of_markers(text, phrase):
    with pytest.raises(ValueError, match=phrase):
        replace_region(text, 'x\n')


def test_sync_readme_diff_and_write(tmp_path):
    results = {'kd_ab': entry('kd_ab', 'KD')}
    readme = tmp_path / 'README.md'
    readme.write_text(f'# title\n{BEGIN}\nstale\n{END}\n')
    diff = sync_readme(str(readme), results)
    assert '-stale' in diff and '+| A → B | [config](configs/kd_ab.py) |' \
        in diff
    assert 'stale' in readme.read_text()  # not written without write=True
    assert sync_readme(str(readme), results, write=True) == diff
    assert sync_readme(str(readme), results) is None
    assert '| A → B |' in readme.read_text()


def test_sync_readme_names_the_file(tmp_path):
    readme = tmp_path / 'README.md'
    readme.write_text('# no markers\n')
    with pytest.raises(ValueError, match='README.md: expected the marker'):
        sync_readme(str(readme), {})


def test_repository_readme_is_in_sync():
    assert sync_readme(str(REPO / 'README.md'), load_published()) is None


def test_repository_tables_hold_every_method_config():
    tables = experiment_tables(load_published())
    for path in [
            *(REPO / 'configs').glob('*.py'),
            *(REPO / 'configs/fashion_mnist').glob('*.py')
    ]:
        if not path.stem.startswith('vanilla_'):
            link = f'[config]({path.relative_to(REPO).as_posix()})'
            assert link in tables, path.name
    # CIFAR-100, ImageNet, Tiny-ImageNet and the Fashion-MNIST demo
    assert tables.count('| pair | KD | DKD | RLD | LDRLD | SD-KD | SD-DKD '
                        '| AEKT |') == 4
    assert '**Fashion-MNIST**' in tables
