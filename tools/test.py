"""Evaluate the student of a distillation checkpoint (or a plain model).

    python tools/test.py CONFIG CHECKPOINT [--work-dir DIR] [--out FILE]
        [--trust-checkpoint PATH] [--cfg-options ...]
        [--launcher {none,pytorch,slurm,mpi}]

With a distillation config, mmrazor's test step runs the *student*; the
teacher's weights come from the checkpoint. The checkpoint is loaded
strictly (see :func:`mmkd_logits.apis.evaluate.evaluate`).
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

from mmkd_logits.apis import cli  # noqa: E402
from mmkd_logits.apis.evaluate import evaluate  # noqa: E402


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=cli.HelpFormatter)
    parser.add_argument('config', help='config file (distillation or plain)')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--work-dir', help='the dir to save logs')
    parser.add_argument('--out', help='write the metrics to this JSON file')
    cli.add_trust_argument(parser)
    cli.add_cfg_options_argument(parser)
    cli.add_launcher_arguments(parser)
    return cli.parse(parser, argv)


def main(argv=None) -> dict:
    """Returns the metrics."""
    args = parse_args(argv)
    return evaluate(args.config, args.checkpoint, args.work_dir,
                    args.cfg_options, args.launcher, args.out)


if __name__ == '__main__':
    main()
