"""LDRLD's Adaptive Decay Weights (ADW) of the rank pairs as numbers and a
heatmap.

For every pair of ranks ``1 ≤ r < r' ≤ d`` of the student's top-``d`` classes
LDRLD weighs the 2-class KL term by
``ADW(r, r') = 1 / (|r − r'| + ε) · δ · exp(−λ (r + r'))``
(:func:`mmkd_logits.models.losses.ldrld_loss.adw_weights`, the function the
loss itself uses). For the published setting ``d=7, ε=1.5, δ=2, λ=0.05`` the
weights sum to 7.7237 and ``ADW(1, 2)`` is 0.6886.
"""
from typing import Any, Dict, List, Optional, Sequence

from .common import save_figure, use_agg

__all__ = ['adw_matrix', 'plot_adw']


def adw_matrix(topk: int,
               eps: float = 1.5,
               delta: float = 2.0,
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
    matrix: List[List[Optional[float]]] = [[None] * topk for _ in range(topk)]
    pairs = []
    for a, b, w in zip(first.tolist(), second.tolist(), weights.tolist()):
        matrix[a][b] = w
        pairs.append([a + 1, b + 1, w])
    return dict(
        topk=topk,
        eps=eps,
        delta=delta,
        lam=lam,
        matrix=matrix,
        pairs=pairs,
        sum=float(weights.sum()),
        num_terms=len(pairs) + 1)


def plot_adw(numbers: Dict[str, Any],
             stem: str,
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
            ax.text(
                b - 1,
                a - 1,
                f'{w:.3f}',
                ha='center',
                va='center',
                fontsize=8,
                color='black' if w > 0.6 * high else 'white')
    ax.set_title(f"LDRLD ADW, d={d}, ε={numbers['eps']:g}, "
                 f"δ={numbers['delta']:g}, λ={numbers['lam']:g}\n"
                 f"sum={numbers['sum']:.4f}, local term / "
                 f"{numbers['num_terms']}")
    return save_figure(fig, stem, formats)
