"""Check every label and every image of a config's dataset before training.

    python tools/misc/verify_dataset.py CONFIG [--split train|val|both]
        [--num-workers N] [--num-classes K] [--cfg-options KEY=VALUE ...]

Builds the train and/or val dataset of CONFIG, checks that every label is
in ``[0, num_classes)`` (the model's head) and reads and fully decodes every
image file (empty, truncated, undecodable or missing files), with a progress
bar, then prints each bad file and why. Exit code 1 if anything is bad, 0
otherwise. The logic is :func:`mmkd_logits.datasets.verify.verify_dataset`.
"""
import argparse
import os.path as osp
import sys

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
if REPO_ROOT not in sys.path:
    sys.path.insert(0, REPO_ROOT)

from mmengine.config import Config, DictAction  # noqa: E402

import mmkd_logits  # noqa: E402,F401  (registers datasets and transforms)
from mmkd_logits.datasets.verify import SPLITS, verify_dataset  # noqa: E402


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Check every label and image of a dataset')
    parser.add_argument('config', help='training config file')
    parser.add_argument(
        '--split',
        choices=SPLITS,
        default='both',
        help='dataset(s) to check (default: both)')
    parser.add_argument(
        '--num-workers',
        type=int,
        default=1,
        help='processes that decode images (default: 1)')
    parser.add_argument(
        '--num-classes',
        type=int,
        default=None,
        help='accepted labels are [0, K) (default: the model head\'s)')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config settings, e.g. '
        'train_dataloader.dataset.data_root=PATH')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    report = verify_dataset(
        cfg,
        split=args.split,
        num_workers=args.num_workers,
        num_classes=args.num_classes)
    print(report.summary())
    return 0 if report.ok else 1


if __name__ == '__main__':
    sys.exit(main())
