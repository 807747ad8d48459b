"""The README's experiment tables, generated from the model index.

One table per dataset: a row per teacher → student pair, a column per method
(collection), each cell a link to the config and, below it, the published
top-1 with the letter of its source (the README's legend), ``unverified``
where it was read from a secondary copy of the paper and the entry's remark.
Configs without a teacher (vanilla ones) are not in the tables.

The tables live in ``README.md`` between :data:`BEGIN` and :data:`END`;
:func:`sync_readme` rewrites that region or reports how it differs.
"""
import difflib
from collections import OrderedDict
from typing import Dict, List, Optional, Tuple

from .published import PublishedResult

__all__ = [
    'BEGIN', 'END', 'DATASET_CAPTIONS', 'VARIANT_CAPTIONS', 'format_cell',
    'experiment_tables', 'replace_region', 'sync_readme'
]

BEGIN = '<!-- experiment-tables:begin -->'
END = '<!-- experiment-tables:end -->'
_NOTE = ('<!-- generated from configs/metafiles/*.yml by '
         'tools/misc/readme_tables.py --write: edit the metafiles, not '
         'these tables -->')

#: the paragraph above each dataset's table (a dataset not listed gets its
#: bold name)
DATASET_CAPTIONS: Dict[str, str] = {
    'CIFAR-100':
    '**CIFAR-100** (teachers: the CRD / mdistiller checkpoints, see\n'
    '[CIFAR-100 teachers](#cifar-100-teachers)):',
    'ImageNet-1k':
    "**ImageNet-1K** (teachers: mmpretrain's published ResNet-34 / "
    'ResNet-50;\n'
    "the papers used torchvision's, 73.31 / 76.16; students ResNet-18 "
    '69.75,\n'
    'MobileNet-V1 68.87):',
    'Tiny-ImageNet':
    '**Tiny-ImageNet** (200 classes, 64×64; teacher ResNet18 trained with\n'
    '`configs/vanilla_ResNet18_tiny_imagenet.py`, see\n'
    '[Tiny-ImageNet networks](#tiny-imagenet-networks)):',
}

#: the paragraph above a variant's table (``{dataset}`` is filled in)
VARIANT_CAPTIONS: Dict[str, str] = {
    'LS':
    '**{dataset}, with logit standardization** (`configs/extra/`; '
    '[docs](docs/methods/logit_standardization.md)):',
}


def format_cell(entry: PublishedResult) -> str:
    """``[config](path)`` and, if published, ``<br>76.32 (D)`` /
    ``<br>72.00 (R, unverified)`` / ``<br>76.63 (S, ablation)``."""
    cell = f'[config]({entry.config_path})'
    if not entry.is_published:
        return cell
    marks = [entry.source_key]
    if not entry.verified:
        marks.append('unverified')
    if entry.remark:
        marks.append(entry.remark)
    return f'{cell}<br>{entry.top1:.2f} ({", ".join(marks)})'


def _grid(
    entries: List[PublishedResult]
) -> Tuple[List[str], List[str], Dict[Tuple[str, str], PublishedResult]]:
    methods: List[str] = []
    pairs: List[str] = []
    cells: Dict[Tuple[str, str], PublishedResult] = {}
    for entry in entries:
        key = (entry.pair, entry.method)
        if key in cells:
            raise ValueError(
                f'two configs for {entry.method} {entry.pair} on '
                f'{entry.dataset}: {cells[key].config} and {entry.config}; '
                'a table cell holds one config (give the variant its own '
                'collection)')
        cells[key] = entry
        if entry.method not in methods:
            methods.append(entry.method)
        if entry.pair not in pairs:
            pairs.append(entry.pair)
    return methods, pairs, cells


def experiment_tables(results: Dict[str, PublishedResult]) -> str:
    """The markdown of every dataset's table (captions included).

    Datasets, methods and pairs appear in the order of the model index.
    Variants of the methods (collections named ``<method>+<variant>``, e.g.
    ``KD+LS``) get a table of their own after the dataset's main one.
    """
    by_table: Dict[Tuple[str, str], List[PublishedResult]] = OrderedDict()
    for entry in results.values():
        if entry.teacher is not None:
            variant = entry.method.partition('+')[2]
            by_table.setdefault((entry.dataset, variant), []).append(entry)
    blocks = []
    for (dataset, variant), entries in sorted(
            by_table.items(), key=lambda kv: bool(kv[0][1])):
        methods, pairs, cells = _grid(entries)
        caption = DATASET_CAPTIONS.get(dataset, f'**{dataset}**:')
        if variant:
            caption = VARIANT_CAPTIONS.get(
                variant, '**{dataset}, +{variant}**:').format(
                    dataset=dataset, variant=variant)
        lines = [
            caption, '', '| pair | ' + ' | '.join(methods) + ' |',
            '|' + '---|' * (len(methods) + 1)
        ]
        for pair in pairs:
            row = [
                format_cell(cells[pair, m]) if (pair, m) in cells else ''
                for m in methods
            ]
            lines.append(f'| {pair} | ' + ' | '.join(row) + ' |')
        blocks.append('\n'.join(lines))
    return '\n\n'.join(blocks) + '\n'


def replace_region(text: str, content: str) -> str:
    """``text`` with the lines between :data:`BEGIN` and :data:`END`
    replaced by ``content`` (plus a note that they are generated).

    Raises:
        ValueError: the markers are missing, repeated or out of order.
    """
    for marker in (BEGIN, END):
        count = text.count(marker)
        if count != 1:
            raise ValueError(f'expected the marker {marker!r} once, found it '
                             f'{count} times')
    start = text.index(BEGIN) + len(BEGIN)
    end = text.index(END)
    if end < start:
        raise ValueError(f'{END!r} comes before {BEGIN!r}')
    return (text[:start] + '\n' + _NOTE + '\n' + content.rstrip('\n') +
            '\n\n' + text[end:])


def sync_readme(readme: str,
                results: Dict[str, PublishedResult],
                write: bool = False) -> Optional[str]:
    """Compare (or rewrite) the tables of ``readme`` with the model index.

    Args:
        readme: path of ``README.md``.
        results: :func:`~mmkd_logits.apis.published.load_published`'s output.
        write: rewrite the region if it differs.

    Returns:
        str | None: a unified diff (current → generated), or ``None`` when
        the README is in sync.
    """
    with open(readme, encoding='utf-8') as f:
        current = f.read()
    try:
        wanted = replace_region(current, experiment_tables(results))
    except ValueError as err:
        raise ValueError(f'{readme}: {err}') from None
    if wanted == current:
        return None
    diff = ''.join(
        difflib.unified_diff(
            current.splitlines(keepends=True),
            wanted.splitlines(keepends=True),
            fromfile=f'{readme} (current)',
            tofile=f'{readme} (generated)'))
    if write:
        with open(readme, 'w', encoding='utf-8') as f:
            f.write(wanted)
    return diff
