"""Teacher vs student pairwise class relations of a distillation checkpoint
on its config's validation subset (:mod:`mmkd_logits.apis.analysis.
logit_relations`): relation maps of each sample's top-d classes, the KL of
every rank pair and the top-1 agreement, in ``logit_relations.png`` and
``logit_relations.json``.

    python tools/analysis/logit_relations.py \\
        configs/ldrld_r34_r18_imagenet.py \\
        work_dirs/ldrld_r34_r18_imagenet/epoch_100.pth --num-samples 1000
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0,
                osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

from mmkd_logits.apis import cli  # noqa: E402
from mmkd_logits.apis.analysis import analyse_relations, common  # noqa: E402


def parse_args(argv=None) -> argparse.Namespace:
    parser = common.checkpoint_parser(__doc__,
                                      'work_dirs/analysis/logit_relations')
    parser.add_argument(
        '--topk',
        '-d',
        type=int,
        help="d (default: the config's LDRLD topk, else 7)")
    parser.add_argument(
        '--tau',
        type=float,
        help="temperature (default: the config's loss tau, else 1)")
    parser.add_argument(
        '--rank-by',
        choices=['student', 'teacher'],
        default='student',
        help='whose logits rank the top-d classes (LDRLD: the student)')
    return cli.parse(parser, argv)


def main(argv=None) -> dict:
    """Returns the numbers with the written ``files``."""
    args = parse_args(argv)
    return analyse_relations(args.config, args.checkpoint, args.out_dir,
                             args.topk, args.tau, args.rank_by, args.formats,
                             **common.loader_args(args))


if __name__ == '__main__':
    main()
