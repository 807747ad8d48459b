"""Export the student of a distillation checkpoint as a plain mmpretrain
model: ``OUT`` (weights, loadable with ``weights_only=True``) and ``OUT``
with the suffix ``.py`` (its ``ImageClassifier`` config, read from the
checkpoint unless ``--config`` is given). See
:mod:`mmkd_logits.apis.student`.

    python tools/export_student.py \\
        work_dirs/ldrld_r34_r18_imagenet/epoch_100.pth student.pth
    python tools/export_student.py \\
        work_dirs/aekt_r34_r18_imagenet/epoch_100.pth student_aekt.pth \\
        --fold-serial-head
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

from mmkd_logits.apis import cli  # noqa: E402
from mmkd_logits.apis.student import export_student  # noqa: E402


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=cli.HelpFormatter)
    parser.add_argument('checkpoint', help='distillation checkpoint')
    parser.add_argument('out', help='output checkpoint path')
    parser.add_argument(
        '--config',
        help="training config (default: the one in the checkpoint's meta)")
    parser.add_argument(
        '--out-config',
        help='where to write the student config (default: OUT with the '
        'suffix .py)')
    parser.add_argument(
        '--fold-serial-head',
        action='store_true',
        help="fold an AEKT student's SerialClsHead (ser∘fc) into one linear "
        'layer: a plain LinearClsHead')
    parser.add_argument(
        '--head', default='head', help="name of the student's head module")
    plugin = parser.add_mutually_exclusive_group()
    plugin.add_argument(
        '--keep-plugin',
        dest='keep_plugin',
        action='store_true',
        help='keep (and import) mmkd_logits in the config even if the '
        'student does not need it')
    plugin.add_argument(
        '--no-plugin',
        dest='keep_plugin',
        action='store_false',
        help='remove mmkd_logits from the config even if something seems '
        'to need it')
    cli.add_trust_argument(parser)
    return cli.parse(parser, argv)


def report(out: dict) -> None:
    print(f"student ({out['meta']['head_type']}): {out['checkpoint']}")
    print(f"student config: {out['config']}")


def main(argv=None) -> int:
    """Returns the exit status."""
    args = parse_args(argv)
    return cli.run('export_student', report, export_student, args.checkpoint,
                   args.out, args.config, args.out_config,
                   args.fold_serial_head, args.head, args.keep_plugin)


if __name__ == '__main__':
    sys.exit(main())
