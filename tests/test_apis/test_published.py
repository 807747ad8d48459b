"""The metafiles (configs/metafiles/*.yml, model-index.yml) and their
loader, mmkd_logits.apis.published.

``PUBLISHED`` below is typed from the project's list of published numbers
(PUBLISHED.md), independently of the metafiles: every number, its source
letter, and whether it was verified from the primary source.
"""
import textwrap
from pathlib import Path

import pytest

from mmkd_logits.apis.published import (ModelIndexError, PublishedResult,
                                        load_published)

REPO = Path(__file__).resolve().parents[2]
INDEX = REPO / 'model-index.yml'

# config stem -> (top-1, source letter, verified, remark)
PUBLISHED = {
    # KD and DKD (mdistiller README, DKD paper): source D
    'kd_r56_r20_cifar100': (70.66, 'D', True, None),
    'dkd_r56_r20_cifar100': (71.97, 'D', True, None),
    'kd_r110_r32_cifar100': (73.08, 'D', True, None),
    'dkd_r110_r32_cifar100': (74.11, 'D', True, None),
    'kd_r32x4_r8x4_cifar100': (73.33, 'D', True, None),
    'dkd_r32x4_r8x4_cifar100': (76.32, 'D', True, None),
    'kd_wrn40_2_wrn16_2_cifar100': (74.92, 'D', True, None),
    'dkd_wrn40_2_wrn16_2_cifar100': (76.23, 'D', True, None),
    'kd_wrn40_2_wrn40_1_cifar100': (73.54, 'D', True, None),
    'dkd_wrn40_2_wrn40_1_cifar100': (74.81, 'D', True, None),
    'kd_vgg13_vgg8_cifar100': (72.98, 'D', True, None),
    'dkd_vgg13_vgg8_cifar100': (74.68, 'D', True, None),
    'kd_r32x4_shuv1_cifar100': (74.07, 'D', True, None),
    'dkd_r32x4_shuv1_cifar100': (76.45, 'D', True, None),
    'kd_wrn40_2_shuv1_cifar100': (74.83, 'D', True, None),
    'dkd_wrn40_2_shuv1_cifar100': (76.70, 'D', True, None),
    'kd_vgg13_mbv2_cifar100': (67.37, 'D', True, None),
    'dkd_vgg13_mbv2_cifar100': (69.71, 'D', True, None),
    'kd_r50_mbv2_cifar100': (67.35, 'D', True, None),
    'dkd_r50_mbv2_cifar100': (70.35, 'D', True, None),
    'kd_r32x4_shuv2_cifar100': (74.45, 'D', True, None),
    'dkd_r32x4_shuv2_cifar100': (77.07, 'D', True, None),
    'kd_r34_r18_imagenet': (71.03, 'D', True, None),
    'dkd_r34_r18_imagenet': (71.70, 'D', True, None),
    'kd_r50_mbv1_imagenet': (70.50, 'D', True, None),
    'dkd_r50_mbv1_imagenet': (72.05, 'D', True, None),
    # SDD (CVPR 2024, Tables 1-4): source S
    'sdd_kd_r32x4_shuv1_cifar100': (76.30, 'S', True, None),
    'sdd_dkd_r32x4_shuv1_cifar100': (77.30, 'S', True, None),
    'sdd_kd_wrn40_2_shuv1_cifar100': (76.65, 'S', True, None),
    'sdd_dkd_wrn40_2_shuv1_cifar100': (77.21, 'S', True, None),
    'sdd_kd_r50_mbv2_cifar100': (69.55, 'S', True, None),
    'sdd_dkd_r50_mbv2_cifar100': (71.36, 'S', True, None),
    'sdd_kd_vgg13_mbv2_cifar100': (68.79, 'S', True, None),
    'sdd_dkd_vgg13_mbv2_cifar100': (70.25, 'S', True, None),
    'sdd_kd_r32x4_shuv2_cifar100': (76.67, 'S', True, None),
    'sdd_dkd_r32x4_shuv2_cifar100': (78.05, 'S', True, None),
    'sdd_kd_r50_vgg8_cifar100': (74.89, 'S', True, None),
    'sdd_dkd_r50_vgg8_cifar100': (75.86, 'S', True, None),
    'sdd_kd_r32x4_mbv2_cifar100': (68.84, 'S', True, None),
    'sdd_dkd_r32x4_mbv2_cifar100': (70.08, 'S', True, None),
    'sdd_kd_wrn40_2_vgg8_cifar100': (74.44, 'S', True, None),
    'sdd_dkd_wrn40_2_vgg8_cifar100': (74.58, 'S', True, None),
    'sdd_kd_wrn40_2_mbv2_cifar100': (69.81, 'S', True, None),
    'sdd_dkd_wrn40_2_mbv2_cifar100': (70.13, 'S', True, None),
    'sdd_kd_r50_shuv1_cifar100': (76.87, 'S', True, None),
    'sdd_dkd_r50_shuv1_cifar100': (78.11, 'S', True, None),
    'sdd_kd_r32x4_r8x4_cifar100': (76.63, 'S', True, 'ablation'),
    'sdd_kd_r34_r18_imagenet': (71.44, 'S', True, None),
    'sdd_dkd_r34_r18_imagenet': (72.02, 'S', True, None),
    'sdd_kd_r50_mbv1_imagenet': (72.24, 'S', True, None),
    'sdd_dkd_r50_mbv1_imagenet': (73.08, 'S', True, None),
    # RLD (arXiv 2408.07703), unverified: source R
    'rld_r32x4_r8x4_cifar100': (76.64, 'R', False, None),
    'rld_vgg13_vgg8_cifar100': (74.93, 'R', False, None),
    'rld_wrn40_2_wrn40_1_cifar100': (74.88, 'R', False, None),
    'rld_wrn40_2_wrn16_2_cifar100': (76.02, 'R', False, None),
    'rld_r56_r20_cifar100': (72.00, 'R', False, None),
    'rld_r110_r32_cifar100': (74.02, 'R', False, None),
    'rld_r110_r20_cifar100': (71.67, 'R', False, None),
    'rld_r32x4_shuv2_cifar100': (77.56, 'R', False, None),
    'rld_wrn40_2_mbv2_cifar100': (69.75, 'R', False, None),
    'rld_vgg13_mbv2_cifar100': (69.97, 'R', False, None),
    'rld_r50_mbv2_cifar100': (70.76, 'R', False, None),
    'rld_r34_r18_imagenet': (71.91, 'R', False, None),
    'rld_r50_mbv1_imagenet': (72.75, 'R', False, None),
    # LDRLD (ICCV 2025, arXiv 2507.15911), unverified: source L
    'ldrld_r56_r20_cifar100': (72.20, 'L', False, None),
    'ldrld_r110_r20_cifar100': (71.98, 'L', False, None),
    'ldrld_r32x4_r8x4_cifar100': (77.20, 'L', False, None),
    'ldrld_wrn40_2_wrn16_2_cifar100': (76.35, 'L', False, None),
    'ldrld_vgg13_vgg8_cifar100': (75.06, 'L', False, None),
    'ldrld_r32x4_shuv1_cifar100': (76.46, 'L', False, None),
    'ldrld_r34_r18_imagenet': (71.88, 'L', False, None),
    'ldrld_r50_mbv1_imagenet': (73.12, 'L', False, None),
    # Tiny-ImageNet (DOT, mdistiller README): source T
    'kd_r18_mbv2_tiny_imagenet': (58.35, 'T', True, None),
    'kd_r18_shuv2_tiny_imagenet': (62.26, 'T', True, None),
    # vanilla CIFAR-100 networks (CRD/DKD/SDD papers): source C
    'vanilla_resnet32x4_cifar100': (79.42, 'C', True, None),
    'vanilla_resnet8x4_cifar100': (72.50, 'C', True, None),
    'vanilla_wrn_40_2_cifar100': (75.61, 'C', True, None),
    'vanilla_ResNet50_cifar100': (79.34, 'C', True, None),
    'vanilla_vgg13_cifar100': (74.64, 'C', True, None),
    'vanilla_vgg8_cifar100': (70.36, 'C', True, None),
    'vanilla_ShuffleV1_cifar100': (70.50, 'C', True, None),
    'vanilla_ShuffleV2_cifar100': (71.82, 'C', True, None),
    'vanilla_MobileNetV2_cifar100': (64.6, 'C', True, None),
    'vanilla_resnet56_cifar100': (72.34, 'C', False, None),
    'vanilla_resnet110_cifar100': (74.31, 'C', False, None),
    'vanilla_resnet20_cifar100': (69.06, 'C', False, None),
    'vanilla_resnet32_cifar100': (71.14, 'C', False, None),
    'vanilla_wrn_16_2_cifar100': (73.26, 'C', False, None),
    'vanilla_wrn_40_1_cifar100': (71.98, 'C', False, None),
    # Logit Standardization (Sun et al., CVPR 2024), the authors' README
    # (sunshangquan/logit-standardization-KD) as read for issue 17
    'kd_ls_r56_r20_cifar100': (71.43, 'Z', True, None),
    'dkd_ls_r56_r20_cifar100': (72.32, 'Z', True, None),
    'kd_ls_r110_r32_cifar100': (74.17, 'Z', True, None),
    'dkd_ls_r110_r32_cifar100': (74.29, 'Z', True, None),
    'kd_ls_r110_r20_cifar100': (71.48, 'Z', True, None),
    'dkd_ls_r110_r20_cifar100': (71.85, 'Z', True, None),
    'kd_ls_r32x4_r8x4_cifar100': (76.62, 'Z', True, None),
    'dkd_ls_r32x4_r8x4_cifar100': (77.01, 'Z', True, None),
    'kd_ls_wrn40_2_wrn16_2_cifar100': (76.11, 'Z', True, None),
    'dkd_ls_wrn40_2_wrn16_2_cifar100': (76.39, 'Z', True, None),
    'kd_ls_wrn40_2_wrn40_1_cifar100': (74.37, 'Z', True, None),
    'dkd_ls_wrn40_2_wrn40_1_cifar100': (74.89, 'Z', True, None),
    'kd_ls_vgg13_vgg8_cifar100': (74.36, 'Z', True, None),
    'dkd_ls_vgg13_vgg8_cifar100': (74.81, 'Z', True, None),
    'kd_ls_r32x4_shuv2_cifar100': (75.56, 'Z', True, None),
    'dkd_ls_r32x4_shuv2_cifar100': (77.37, 'Z', True, None),
    'kd_ls_vgg13_mbv2_cifar100': (68.61, 'Z', True, None),
    'dkd_ls_vgg13_mbv2_cifar100': (69.98, 'Z', True, None),
    'kd_ls_r50_mbv2_cifar100': (69.02, 'Z', True, None),
    'dkd_ls_r50_mbv2_cifar100': (70.45, 'Z', True, None),
    'kd_ls_wrn40_2_mbv2_cifar100': (69.23, 'Z', True, None),
    'dkd_ls_wrn40_2_mbv2_cifar100': (70.01, 'Z', True, None),
}

# the paper each source letter stands for (a word its Source must name)
SOURCE_NAMES = {
    'D': 'DKD',
    'S': 'SDD',
    'R': 'RLD',
    'L': 'LDRLD',
    'T': 'DOT',
    'C': 'CRD',
    'Z': 'Logit Standardization'
}

METHODS = {  # config prefix -> collection
    'kd': 'KD',
    'dkd': 'DKD',
    'rld': 'RLD',
    'ldrld': 'LDRLD',
    'sdd_kd': 'SD-KD',
    'sdd_dkd': 'SD-DKD',
    'aekt': 'AEKT',
    'vanilla': 'Vanilla',
    # configs/extra/: logit standardization (issue 17)
    'kd_ls': 'KD+LS',
    'dkd_ls': 'DKD+LS',
    'rld_ls': 'RLD+LS',
    'ldrld_ls': 'LDRLD+LS',
    'sdd_dkd_ls': 'SD-DKD+LS',
    'aekt_ls': 'AEKT+LS'
}
DATASETS = {
    'cifar100': 'CIFAR-100',
    'imagenet': 'ImageNet-1k',
    'tiny_imagenet': 'Tiny-ImageNet',
    'fashion_mnist': 'Fashion-MNIST'
}
NETWORKS = {
    'CIFAR-100': {
        'r56': 'resnet56',
        'r20': 'resnet20',
        'r110': 'resnet110',
        'r32': 'resnet32',
        'r32x4': 'resnet32x4',
        'r8x4': 'resnet8x4',
        'wrn40_2': 'wrn_40_2',
        'wrn16_2': 'wrn_16_2',
        'wrn40_1': 'wrn_40_1',
        'vgg13': 'vgg13',
        'vgg8': 'vgg8',
        'shuv1': 'ShuffleV1',
        'shuv2': 'ShuffleV2',
        'mbv2': 'MobileNetV2',
        'r50': 'ResNet50'
    },
    'ImageNet-1k': {
        'r34': 'ResNet-34',
        'r18': 'ResNet-18',
        'r50': 'ResNet-50',
        'mbv1': 'MobileNet-V1'
    },
    'Tiny-ImageNet': {
        'r18': 'ResNet18',
        'mbv2': 'MobileNetV2',
        'shuv2': 'ShuffleV2'
    },
    # the demo (configs/fashion_mnist/): CIFAR zoo networks
    'Fashion-MNIST': {
        'r14': 'resnet14',
        'r8': 'resnet8'
    },
}


def leaf_configs():
    """Every config a user trains: configs/**/*.py outside _base_."""
    return {
        p.stem: p.relative_to(REPO).as_posix()
        for p in (REPO / 'configs').rglob('*.py')
        if '_base_' not in p.relative_to(REPO / 'configs').parts
    }


def split_stem(stem):
    """(method, teacher abbreviation, student abbreviation, dataset)."""
    for suffix in sorted(DATASETS, key=len, reverse=True):
        if stem.endswith('_' + suffix):
            body, dataset = stem[:-len(suffix) - 1], DATASETS[suffix]
            break
    for prefix in sorted(METHODS, key=len, reverse=True):
        if body.startswith(prefix + '_'):
            return prefix, body[len(prefix) + 1:], dataset
    raise AssertionError(stem)


@pytest.fixture(scope='module')
def published():
    return load_published(str(INDEX))


def test_metafiles_cover_exactly_the_configs(published):
    configs = leaf_configs()
    assert len(configs) >= 174
    assert set(published) == set(configs)
    for name, entry in published.items():
        assert entry.config == name
        assert entry.config_path == configs[name]


def test_every_published_number_and_its_source(published):
    numbers = {k: v for k, v in published.items() if v.is_published}
    assert set(numbers) == set(PUBLISHED)
    for name, (top1, key, verified, remark) in PUBLISHED.items():
        entry = published[name]
        assert entry.top1 == pytest.approx(top1, abs=1e-9), name
        assert entry.source_key == key, name
        assert entry.verified is verified, name
        assert entry.remark == remark, name
        assert entry.top5 is None, name  # no top-5 recorded yet
        assert SOURCE_NAMES[key] in entry.source, (name, entry.source)
    for name, entry in published.items():
        if name not in PUBLISHED:
            assert (entry.top1, entry.source, entry.verified) == \
                (None, None, None), name


def test_method_pair_and_dataset_of_every_entry(published):
    for name, entry in published.items():
        prefix, body, dataset = split_stem(name)
        assert entry.method == METHODS[prefix], name
        assert entry.dataset == dataset, name
        if prefix == 'vanilla':
            assert entry.teacher is None and entry.pair is None
            assert entry.student == body, name
            continue
        nets = NETWORKS[dataset]
        teacher = next(
            t for t in nets
            if body.startswith(t + '_') and body[len(t) + 1:] in nets)
        student = body[len(teacher) + 1:]
        assert entry.teacher == nets[teacher], name
        assert entry.student == nets[student], name
        assert entry.pair == f'{nets[teacher]} → {nets[student]}'


def test_epochs_and_batch_size_match_the_configs(published):
    from mmengine.config import Config
    from modelindex.load_model_index import load
    models = {m.name: m for m in load(str(INDEX)).models}
    for name, entry in published.items():
        cfg = Config.fromfile(str(REPO / entry.config_path))
        meta = models[name].metadata.data
        assert meta['Epochs'] == cfg.train_cfg.max_epochs, name
        assert meta['Batch Size'] == cfg.auto_scale_lr.base_batch_size, name


def test_model_index_loads_with_modelindex():
    from modelindex.load_model_index import load
    index = load(str(INDEX))
    assert len(index.models) == len(leaf_configs())
    names = [c.name for c in index.collections]
    assert names == [
        'KD', 'DKD', 'RLD', 'LDRLD', 'SD-KD', 'SD-DKD', 'AEKT', 'Vanilla',
        'KD+LS', 'DKD+LS', 'RLD+LS', 'LDRLD+LS', 'SD-DKD+LS', 'AEKT+LS'
    ]
    for col in index.collections:
        assert col.paper['Title'] and col.paper['URL'].startswith('https://')
        # OpenMMLab writes README paths from the repository root
        assert (REPO / col.readme).is_file(), col.readme
    # the only complaint of modelindex's checker: it resolves README paths
    # from the metafile's folder
    errors = index.check(silent=True)
    assert errors and all('Path to README file' in str(e) for e in errors)
    for model in index.models:
        # what `mim search` iterates over: never None, never an empty list
        assert model.results is not None, model.name
        for result in model.results:
            assert result.task == 'Image Classification'
            assert set(result.metrics) <= {'Top 1 Accuracy', 'Top 5 Accuracy'}
        assert all(v != [] for v in model.metadata.data.values())
        assert (REPO / model.config).is_file()
        # the custom field is kept as it is
        if model.results:
            assert set(model.data['Published']) >= {
                'Source', 'Source Key', 'Verified'
            }


# ---------------------------------------------------------------- errors --

COLLECTION = """\
Collections:
  - Name: KD
    Paper:
      Title: Distilling the Knowledge in a Neural Network
      URL: https://arxiv.org/abs/1503.02531
    README: docs/kd.md
"""


def _index(tmp_path, models, collection=COLLECTION, imports=('m.yml', )):
    (tmp_path / 'docs').mkdir(exist_ok=True)
    (tmp_path / 'docs' / 'kd.md').write_text('# KD\n')
    (tmp_path / 'configs').mkdir(exist_ok=True)
    (tmp_path / 'configs' / 'kd_a_b_cifar100.py').write_text('x = 1\n')
    (tmp_path /
     'm.yml').write_text(collection + 'Models:\n' +
                         textwrap.indent(textwrap.dedent(models), '  '))
    index = tmp_path / 'model-index.yml'
    index.write_text('Import:\n' + ''.join(f'  - {i}\n' for i in imports))
    return str(index)


MODEL = """\
- Name: kd_a_b_cifar100
  In Collection: KD
  Config: configs/kd_a_b_cifar100.py
  Metadata:
    Training Data: CIFAR-100
    Teacher: A
    Student: B
  Results:
    - Task: Image Classification
      Dataset: CIFAR-100
      Metrics:
        Top 1 Accuracy: 70.5
        Top 5 Accuracy: 91.25
  Published:
    Source: a paper, Table 2
    Source Key: P
    Verified: false
    Remark: rerun
"""


def test_loads_a_hand_written_index(tmp_path):
    out = load_published(_index(tmp_path, MODEL))
    assert out == {
        'kd_a_b_cifar100':
        PublishedResult(
            config='kd_a_b_cifar100',
            config_path='configs/kd_a_b_cifar100.py',
            method='KD',
            dataset='CIFAR-100',
            teacher='A',
            student='B',
            top1=70.5,
            top5=91.25,
            source='a paper, Table 2',
            source_key='P',
            verified=False,
            remark='rerun',
            metafile='m.yml')
    }
    # the folder of the index works too
    assert load_published(str(tmp_path)) == out


def test_entry_without_results_has_no_number(tmp_path):
    model = MODEL.split('  Results:')[0] + '  Results: []\n'
    entry = load_published(_index(tmp_path, model))['kd_a_b_cifar100']
    assert (entry.top1, entry.top5, entry.source, entry.verified) == \
        (None, None, None, None)
    assert not entry.is_published and entry.pair == 'A → B'


@pytest.mark.parametrize('old, new, phrase', [
    ('  Published:\n    Source: a paper, Table 2\n    Source Key: P\n'
     '    Verified: false\n    Remark: rerun\n', '',
     'needs a Published entry'),
    ('Verified: false', 'Verified: maybe', 'Verified must be true or'),
    ('Source Key: P', 'Source Key: ""', "'Source Key' must be"),
    ('Top 1 Accuracy: 70.5', 'Top 1 Accuracy: high', 'must be a number'),
    ('Top 1 Accuracy: 70.5', 'Top-1: 70.5', "Metrics must have 'Top 1"),
    ('In Collection: KD', 'In Collection: KDD', "'KDD' is not a"),
    ('Config: configs/kd_a_b_cifar100.py',
     'Config: configs/kd_a_c_cifar100.py', 'does not exist'),
    ('Name: kd_a_b_cifar100', 'Name: kd_x', 'the stem of the Config'),
    ('Remark: rerun', 'Remark: rerun\n    Table: 2',
     "unknown Published field(s) ['Table']"),
    ('Task: Image Classification', 'Task: Detection',
     "results of task(s) ['Detection']"),
    ('    Training Data: CIFAR-100\n', '', "'Training Data' must be"),
])
def test_malformed_entries_are_named(tmp_path, old, new, phrase):
    assert old in MODEL
    path = _index(tmp_path, MODEL.replace(old, new))
    with pytest.raises(ModelIndexError) as err:
        load_published(path)
    assert phrase in str(err.value)
    assert 'kd_' in str(err.value) and 'm.yml' in str(err.value)


def test_missing_metafile_is_an_error(tmp_path):
    path = _index(tmp_path, MODEL, imports=('m.yml', 'missing.yml'))
    with pytest.raises(ModelIndexError, match='missing.yml'):
        load_published(path)


def test_duplicate_model_is_an_error(tmp_path):
    path = _index(tmp_path, MODEL + MODEL)
    with pytest.raises(ModelIndexError, match='is also in'):
        load_published(path)


def test_missing_readme_is_an_error(tmp_path):
    path = _index(
        tmp_path,
        MODEL,
        collection=COLLECTION.replace('docs/kd.md', 'docs/no.md'))
    with pytest.raises(ModelIndexError, match="README 'docs/no.md'"):
        load_published(path)


def test_missing_index_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match='model index'):
        load_published(str(tmp_path / 'nothing.yml'))
