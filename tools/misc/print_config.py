"""Print the whole config, as the runner reads it (``--cfg-options``
merged), like mmpretrain's ``tools/misc/print_config.py``.

    python tools/misc/print_config.py configs/ldrld_r34_r18_imagenet.py \\
        --cfg-options model.distiller.distill_losses.loss_ldrld.tau=2
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0,
                osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

from mmkd_logits.apis import cli  # noqa: E402


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=cli.HelpFormatter)
    parser.add_argument('config', help='config file path')
    cli.add_cfg_options_argument(parser)
    return cli.parse(parser, argv)


def main(argv=None) -> int:
    """Returns the exit status."""
    args = parse_args(argv)
    return cli.run('print_config', lambda cfg: print(cfg.pretty_text),
                   cli.load_config, args.config, args.cfg_options)


if __name__ == '__main__':
    sys.exit(main())
