"""Heatmap of LDRLD's Adaptive Decay Weights ``ADW(r, r')`` of the rank pairs
(:mod:`mmkd_logits.apis.analysis.adw`): ``adw_d<d>.png`` / ``.svg`` and
``adw_d<d>.json`` (the matrix, the pairs, their sum and the normalisation
``d(d−1)/2 + 1`` of the local term).

    python tools/analysis/plot_adw.py --topk 7 --eps 1.5 --delta 2.0 \\
        --lam 0.05 --out-dir work_dirs/adw --formats png svg
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0,
                osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

from mmkd_logits.apis import cli  # noqa: E402
from mmkd_logits.apis.analysis import adw, common  # noqa: E402


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=cli.HelpFormatter)
    parser.add_argument(
        '--topk',
        '-d',
        type=int,
        default=7,
        help='number of ranked classes d (default 7)')
    parser.add_argument(
        '--eps',
        type=float,
        default=1.5,
        help='ε of the inverse rank weighting (default 1.5)')
    parser.add_argument(
        '--delta',
        type=float,
        default=2.0,
        help='δ of the exponential rank decay (default 2.0)')
    parser.add_argument(
        '--lam',
        type=float,
        default=0.05,
        help='λ of the exponential rank decay (default 0.05)')
    parser.add_argument(
        '--out-dir', default='work_dirs/analysis/adw', help='output folder')
    parser.add_argument(
        '--formats',
        nargs='+',
        choices=common.FIGURE_FORMATS,
        default=['png'],
        help='figure formats (png, svg)')
    return parser.parse_args(argv)


def main(argv=None) -> dict:
    """Returns the numbers with the written ``files``."""
    args = parse_args(argv)
    numbers = adw.adw_matrix(args.topk, args.eps, args.delta, args.lam)
    stem = osp.join(args.out_dir, f'adw_d{args.topk}')
    return common.finish(numbers, adw.plot_adw(numbers, stem, args.formats),
                         stem)


if __name__ == '__main__':
    main()
