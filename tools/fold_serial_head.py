"""Fold an AEKT student's ``SerialClsHead`` into a plain ``LinearClsHead``
(``W = W_ser·W_fc``, ``b = W_ser·b_fc + b_ser``: the same logits; see
:func:`mmkd_logits.apis.student.fold_serial_head`). Input: a student or a
distillation checkpoint; with ``--config`` the folded student's config is
written too.

    python tools/fold_serial_head.py work_dirs/aekt/epoch_100.pth \\
        student_folded.pth --config configs/aekt_r34_r18_imagenet.py
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

from mmkd_logits.apis import cli  # noqa: E402
from mmkd_logits.apis.student import fold_checkpoint  # noqa: E402


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=cli.HelpFormatter)
    parser.add_argument(
        'checkpoint', help='student or distillation checkpoint')
    parser.add_argument('out', help='output checkpoint path')
    parser.add_argument(
        '--config',
        help='training config (distillation or student): write the folded '
        "student's config too")
    parser.add_argument(
        '--out-config',
        help='where to write it (default: OUT with the suffix .py)')
    parser.add_argument(
        '--head', default='head', help="name of the student's head module")
    cli.add_trust_argument(parser)
    return cli.parse(parser, argv)


def report(out: dict) -> None:
    print(f"folded the SerialClsHead ({out['meta']['num_classes']} classes): "
          f"{out['checkpoint']}")
    if out['config']:
        print(f"student config (LinearClsHead): {out['config']}")


def main(argv=None) -> int:
    """Returns the exit status."""
    args = parse_args(argv)
    return cli.run('fold_serial_head', report, fold_checkpoint,
                   args.checkpoint, args.out, args.head, args.config,
                   args.out_config)


if __name__ == '__main__':
    sys.exit(main())
