"""Summarize training runs from mmengine's logs, next to the published
numbers.

    python tools/analysis/summarize_runs.py work_dirs/kd_r56_r20_cifar100
    python tools/analysis/summarize_runs.py work_dirs --out-dir summary

Every work dir under the given folders (a folder with mmengine's
``<timestamp>/`` log folders, e.g. ``work_dirs/<config>/seed<k>`` of
``tools/sweep.py``) is one run; runs are grouped by config. Written to
``--out-dir``: ``summary.md`` (printed too), ``summary.csv`` (per config:
runs, mean ± sample std of the best and of the last top-1 over the complete
runs, the published top-1, its source, the gaps), ``runs.csv`` (per run:
best top-1 and its epoch, last top-1, complete or not) and
``curves_<method>.png`` (validation top-1 of every run). Incomplete runs
(last validated epoch < ``max_epochs``) are listed, never averaged. See
:mod:`mmkd_logits.apis.summarize`.
"""
import argparse
import os.path as osp
import sys

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
if REPO_ROOT not in sys.path:
    sys.path.insert(0, REPO_ROOT)

from mmkd_logits.apis import summarize  # noqa: E402
from mmkd_logits.apis.published import load_published  # noqa: E402


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Summarize runs (best/last top-1, mean ± std over '
        'seeds) next to the published numbers')
    parser.add_argument(
        'work_dirs', nargs='+', help='work dirs, or folders that contain them')
    parser.add_argument(
        '--out-dir',
        default='work_dirs/summary',
        help='where to write summary.md/.csv, runs.csv and '
        'the curves (default work_dirs/summary)')
    parser.add_argument(
        '--model-index',
        default=osp.join(REPO_ROOT, 'model-index.yml'),
        help='the published numbers (default: the '
        'repository\'s model-index.yml)')
    parser.add_argument(
        '--metric',
        default=summarize.METRIC,
        help='the logged validation metric (default '
        f'{summarize.METRIC}, the student\'s top-1)')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        published = load_published(args.model_index)
        result = summarize.summarize_runs(args.work_dirs, args.out_dir,
                                          published, args.metric)
    except (OSError, ValueError) as err:
        print(f'error: {err}', file=sys.stderr)
        return 2
    sys.stdout.write(result['markdown'])
    print()
    for path in result['files']:
        print(path)
    return 0


if __name__ == '__main__':
    sys.exit(main())
