"""Convert a CRD / mdistiller checkpoint into an mmengine checkpoint of the
zoo (keys mapped and every shape checked against the network; see
:mod:`mmkd_logits.apis.convert_mdistiller`).

    python tools/convert_mdistiller_ckpt.py resnet32x4 \\
        download_ckpts/cifar_teachers/resnet32x4_vanilla/ckpt_epoch_240.pth \\
        checkpoints/resnet32x4_cifar100_crd.pth
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

from mmkd_logits.apis import cli  # noqa: E402
from mmkd_logits.apis.convert_mdistiller import ARCHS, convert_file  # noqa


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=cli.HelpFormatter)
    parser.add_argument(
        'arch',
        choices=ARCHS,
        metavar='ARCH',
        help='architecture (zoo name): ' + ', '.join(ARCHS))
    parser.add_argument('src', help='CRD/mdistiller checkpoint')
    parser.add_argument('dst', help='output mmengine checkpoint (.pth)')
    parser.add_argument(
        '--num-classes',
        type=int,
        help='classes of the classifier (default: 100; 1000 for '
        'MobileNetV1)')
    parser.add_argument(
        '--src-prefix',
        help='take only the keys under this prefix (and strip it), e.g. '
        '"module.student." for an mdistiller distiller checkpoint')
    cli.add_trust_argument(parser)
    return cli.parse(parser, argv)


def report(meta: dict) -> None:
    print(f"converted {meta['arch']}: {meta['source']['num_keys']} keys "
          f"({meta['source']['format']} format)")
    if meta['filled_keys']:
        print('note: the source lacked these BN counters, filled with 0: ' +
              ', '.join(meta['filled_keys']))


def main(argv=None) -> int:
    """Returns the exit status."""
    args = parse_args(argv)
    return cli.run('convert_mdistiller_ckpt', report, convert_file, args.arch,
                   args.src, args.dst, args.num_classes, args.src_prefix)


if __name__ == '__main__':
    sys.exit(main())
