"""SDD's consistent and complementary regions, per scale, of a checkpoint
on its config's validation subset (:mod:`mmkd_logits.apis.analysis.
sdd_regions`): ``sdd_regions.png`` (fractions per scale),
``sdd_region_examples.png`` and ``sdd_regions.json``.

    python tools/analysis/sdd_regions.py configs/sdd_dkd_r34_r18_imagenet.py \\
        work_dirs/sdd_dkd_r34_r18_imagenet/epoch_100.pth --num-samples 1000
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0,
                osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

from mmkd_logits.apis import cli  # noqa: E402
from mmkd_logits.apis.analysis import analyse_regions, common  # noqa: E402


def parse_args(argv=None) -> argparse.Namespace:
    parser = common.checkpoint_parser(__doc__,
                                      'work_dirs/analysis/sdd_regions')
    parser.add_argument(
        '--scales',
        type=int,
        nargs='+',
        help="region grid sizes (default: the config's MultiScaleLogits "
        'recorder, else 1 2 4)')
    parser.add_argument(
        '--source',
        help="module producing the final feature map (default: the "
        "recorder's, else backbone)")
    parser.add_argument(
        '--fc', help='the linear classifier (default: head.fc)')
    parser.add_argument(
        '--base-grid',
        type=int,
        help="pool to this grid first (default: the recorder's, else 4)")
    parser.add_argument(
        '--direct-pooling',
        action='store_true',
        help='pool every scale straight from the map (base_grid=None)')
    parser.add_argument(
        '--num-examples',
        type=int,
        default=4,
        help='images in the example grid (default 4)')
    return cli.parse(parser, argv)


def main(argv=None) -> dict:
    """Returns the numbers with the written ``files``."""
    args = parse_args(argv)
    overrides = dict(
        scales=args.scales,
        source=args.source,
        fc=args.fc,
        base_grid=args.base_grid)
    return analyse_regions(args.config, args.checkpoint, args.out_dir,
                           overrides, args.direct_pooling, args.num_examples,
                           args.formats, **common.loader_args(args))


if __name__ == '__main__':
    main()
