"""Benchmark the logit-distillation losses: forward+backward time and memory
of each against KDLoss (the KD baseline), as a markdown table (see
:mod:`mmkd_logits.apis.benchmark` for what is measured).

    python tools/benchmark_losses.py --device cpu
    python tools/benchmark_losses.py --device cuda --repeats 50
    python tools/benchmark_losses.py --quick        # smoke run
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

import torch  # noqa: E402

from mmkd_logits.apis import benchmark, cli  # noqa: E402


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=cli.HelpFormatter)
    parser.add_argument(
        '--device', help="'cpu' or 'cuda' (default: cuda if available)")
    parser.add_argument(
        '--repeats',
        type=int,
        default=30,
        help='timed runs per loss and shape (median)')
    parser.add_argument(
        '--warmup', type=int, default=5, help='untimed runs before timing')
    parser.add_argument(
        '--losses',
        nargs='+',
        help='subset of loss names (KD is always included)')
    parser.add_argument(
        '--threads',
        type=int,
        help='torch CPU threads (default: torch default)')
    parser.add_argument(
        '--quick',
        action='store_true',
        help='smoke run: small shapes, 1 warm-up, 2 repeats')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    device = torch.device(
        args.device or ('cuda' if torch.cuda.is_available() else 'cpu'))
    if device.type == 'cuda' and not torch.cuda.is_available():
        print(
            'benchmark_losses: error: CUDA requested but not available',
            file=sys.stderr)
        return 2
    if args.threads:
        torch.set_num_threads(args.threads)
    try:
        entries = benchmark.select_entries(args.losses)
    except ValueError as err:
        print(f'benchmark_losses: error: {err}', file=sys.stderr)
        return 2
    shapes, warmup, repeats = benchmark.SHAPES, args.warmup, args.repeats
    if args.quick:
        shapes, warmup, repeats = benchmark.QUICK_SHAPES, 1, 2
    results = benchmark.run(device, entries, shapes, warmup, repeats)
    print(f'torch {torch.__version__}, device {device}, '
          f'{torch.get_num_threads()} CPU threads, median of {repeats} runs '
          f'after {warmup} warm-up runs\n')
    print(benchmark.to_markdown(results, device))
    return 0


if __name__ == '__main__':
    sys.exit(main())
