"""Generate the README's experiment tables from the model index.

    python tools/misc/readme_tables.py            # print the tables
    python tools/misc/readme_tables.py --write    # rewrite them in README.md
    python tools/misc/readme_tables.py --check    # exit 1 (with a diff) if
                                                  # README.md is out of date

The data: ``model-index.yml`` and ``configs/metafiles/*.yml`` (see
:mod:`mmkd_logits.apis.published`); the tables sit in ``README.md`` between
``<!-- experiment-tables:begin -->`` and ``<!-- experiment-tables:end -->``
(:mod:`mmkd_logits.apis.readme_tables`).
"""
import argparse
import os.path as osp
import sys

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
if REPO_ROOT not in sys.path:
    sys.path.insert(0, REPO_ROOT)

from mmkd_logits.apis import readme_tables  # noqa: E402
from mmkd_logits.apis.published import load_published  # noqa: E402


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Generate the README experiment tables from the '
        'metafiles (model-index.yml)')
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        '--write',
        action='store_true',
        help='rewrite the tables in the README')
    mode.add_argument(
        '--check',
        action='store_true',
        help='exit non-zero with a diff if the README differs')
    parser.add_argument(
        '--readme',
        default=osp.join(REPO_ROOT, 'README.md'),
        help='README to check or rewrite')
    parser.add_argument(
        '--model-index',
        default=osp.join(REPO_ROOT, 'model-index.yml'),
        help='the model index (default: the repository\'s)')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        results = load_published(args.model_index)
        if not (args.write or args.check):
            sys.stdout.write(readme_tables.experiment_tables(results))
            return 0
        diff = readme_tables.sync_readme(
            args.readme, results, write=args.write)
    except (OSError, ValueError) as err:
        print(f'error: {err}', file=sys.stderr)
        return 2
    if diff is None:
        print(f'{args.readme}: the experiment tables are up to date')
        return 0
    if args.write:
        print(f'{args.readme}: experiment tables rewritten')
        return 0
    sys.stdout.write(diff)
    print(
        f'{args.readme}: the experiment tables differ from the metafiles; '
        'run python tools/misc/readme_tables.py --write',
        file=sys.stderr)
    return 1


if __name__ == '__main__':
    sys.exit(main())
