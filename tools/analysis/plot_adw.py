"""Heatmap of LDRLD's Adaptive Decay Weights (ADW) of the rank pairs.

For every pair of ranks ``1 ≤ r < r' ≤ d`` of the student's top-``d`` classes
LDRLD weighs the 2-class KL term by
``ADW(r, r') = 1 / (|r − r'| + ε) · δ · exp(−λ (r + r'))``
(``mmkd_logits.models.losses.ldrld_loss.adw_weights``, the function the loss
itself uses). This tool draws the upper-triangular ``d × d`` matrix of these
weights and writes the numbers::

    python tools/analysis/plot_adw.py --topk 7 --eps 1.5 --delta 2.0 \\
        --lam 0.05 --out-dir work_dirs/adw --formats png svg

Output: ``adw_d<d>.png`` / ``.svg`` and ``adw_d<d>.json`` (the matrix with
``null`` below the diagonal, the pair list, the sum of the weights and the
normalisation ``d(d−1)/2 + 1`` of the local term). For the published setting
``d=7, ε=1.5, δ=2, λ=0.05`` the weights sum to 7.7237 and ``ADW(1, 2)`` is
0.6886.
"""
import argparse
import os.path as osp
import sys
from typing import Any, Dict, List, Optional, Sequence

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from analysis_utils import (FIGURE_FORMATS, finish,  # noqa: E402
                            save_figure, use_agg)

__all__ = ['adw_matrix', 'plot_adw', 'parse_args', 'main']


def adw_matrix(topk: int, eps: float = 1.5, delta: float = 2.0,
               lam: float = 0.05) -> Dict[str, Any]:
    """ADW numbers for ``d = topk`` as plain Python data.

    Returns:
        dict: ``matrix`` (``d × d`` list, ``None`` on and below the diagonal,
        row ``r − 1``, column ``r' − 1``), ``pairs`` (``[r, r', weight]``
        with 1-based ranks), ``sum``, ``num_terms`` (``d(d−1)/2 + 1``) and
        the parameters.
    """
    from mmkd_logits.models.losses.ldrld_loss import adw_weights
    if isinstance(topk, bool) or not isinstance(topk, int) or topk < 2:
        raise ValueError(f'topk must be an integer >= 2, got {topk!r}')
    first, second, weights = adw_weights(topk, eps, delta, lam)
    matrix: List[List[Optional[float]]] = [[None] * topk
                                           for _ in range(topk)]
    pairs = []
    for a, b, w in zip(first.tolist(), second.tolist(), weights.tolist()):
        matrix[a][b] = w
        pairs.append([a + 1, b + 1, w])
    return dict(topk=topk, eps=eps, delta=delta, lam=lam, matrix=matrix,
                pairs=pairs, sum=float(weights.sum()),
                num_terms=len(pairs) + 1)


def plot_adw(numbers: Dict[str, Any], stem: str,
             formats: Sequence[str] = ('png', )) -> List[str]:
    """Draw the heatmap of :func:`adw_matrix` numbers; return the paths."""
    import numpy as np
    plt = use_agg()
    d = numbers['topk']
    data = np.array([[np.nan if v is None else v for v in row]
                     for row in numbers['matrix']])
    size = max(4.0, 0.6 * d + 2)
    fig, ax = plt.subplots(figsize=(size + 1, size))
    image = ax.imshow(np.ma.masked_invalid(data), cmap='viridis')
    fig.colorbar(image, ax=ax, label='ADW(r, r\')')
    ticks = list(range(d))
    ax.set_xticks(ticks, [str(i + 1) for i in ticks])
    ax.set_yticks(ticks, [str(i + 1) for i in ticks])
    ax.set_xlabel("rank r' (student's top-d)")
    ax.set_ylabel('rank r')
    if d <= 12:
        high = np.nanmax(data)
        for a, b, w in numbers['pairs']:
            ax.text(b - 1, a - 1, f'{w:.3f}', ha='center', va='center',
                    fontsize=8,
                    color='black' if w > 0.6 * high else 'white')
    ax.set_title(f"LDRLD ADW, d={d}, ε={numbers['eps']:g}, "
                 f"δ={numbers['delta']:g}, λ={numbers['lam']:g}\n"
                 f"sum={numbers['sum']:.4f}, local term / "
                 f"{numbers['num_terms']}")
    return save_figure(fig, stem, formats)


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    """Command-line arguments (see the module docstring)."""
    parser = argparse.ArgumentParser(
        description="Heatmap of LDRLD's adaptive decay weights ADW(r, r').")
    parser.add_argument('--topk', '-d', type=int, default=7,
                        help='number of ranked classes d (default 7)')
    parser.add_argument('--eps', type=float, default=1.5,
                        help='ε of the inverse rank weighting (default 1.5)')
    parser.add_argument('--delta', type=float, default=2.0,
                        help='δ of the exponential rank decay (default 2.0)')
    parser.add_argument('--lam', type=float, default=0.05,
                        help='λ of the exponential rank decay (default 0.05)')
    parser.add_argument('--out-dir', default='work_dirs/analysis/adw',
                        help='output folder')
    parser.add_argument('--formats', nargs='+', choices=FIGURE_FORMATS,
                        default=['png'], help='figure formats (png, svg)')
    return parser.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> Dict[str, Any]:
    """Entry point; returns the numbers with the written ``files``."""
    args = parse_args(argv)
    numbers = adw_matrix(args.topk, args.eps, args.delta, args.lam)
    stem = osp.join(args.out_dir, f'adw_d{args.topk}')
    return finish(numbers, plot_adw(numbers, stem, args.formats), stem)


if __name__ == '__main__':
    main()
