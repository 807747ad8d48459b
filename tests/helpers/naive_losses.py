"""Naive, loop-based reference implementations of the logit losses.

Written straight from the math of ``docs/methods/`` with Python loops over
samples, classes and pairs and ``math`` in double precision, independent of
the package's vectorised code (nothing from ``mmkd_logits`` is imported).
Every function returns the **per-sample** losses as a float64 tensor
``[B]``; take ``.mean()`` for ``'batchmean'`` and ``.sum()`` for ``'sum'``.

Tie rules (the spec leaves them open; the package uses the same ones):
the teacher's top class ``m`` in RLD is the first maximal index; the
student's top-``d`` ranking in LDRLD orders equal logits by class index.
"""
import math
from typing import List, Sequence

import torch

__all__ = [
    'naive_kl', 'naive_kd', 'naive_dkd', 'naive_rld', 'naive_ldrld',
    'naive_adw'
]


def _rows(x: torch.Tensor) -> List[List[float]]:
    return x.detach().double().reshape(-1, x.shape[-1]).tolist()


def _log_softmax(z: Sequence[float], tau: float) -> List[float]:
    scaled = [v / tau for v in z]
    top = max(scaled)
    lse = top + math.log(math.fsum(math.exp(v - top) for v in scaled))
    return [v - lse for v in scaled]


def naive_kl(zt: Sequence[float], zs: Sequence[float], tau: float) -> float:
    """``τ²·KL(softmax(zt/τ) ‖ softmax(zs/τ))`` of two logit lists.

    Empty lists give 0 (an empty class set carries no knowledge).
    """
    if len(zt) == 0:
        return 0.0
    log_t, log_s = _log_softmax(zt, tau), _log_softmax(zs, tau)
    terms = []
    for lt, ls in zip(log_t, log_s):
        p = math.exp(lt)
        if p > 0.0:  # 0·log 0 = 0
            terms.append(p * (lt - ls))
    return math.fsum(terms) * tau**2


def _naive_binary_kl(pt: float, ps: float, log_pt: float, log_qt: float,
                     log_ps: float, log_qs: float) -> float:
    out = 0.0
    if pt > 0.0:
        out += pt * (log_pt - log_ps)
    qt = math.exp(log_qt)
    if qt > 0.0:
        out += qt * (log_qt - log_qs)
    return out


def _log_pick(z: Sequence[float], k: int, tau: float):
    """``(log p_k, log(1 − p_k))`` for ``p = softmax(z/τ)``, stably."""
    log_p = _log_softmax(z, tau)
    rest = [v for c, v in enumerate(log_p) if c != k]
    top = max(rest)
    log_q = top + math.log(math.fsum(math.exp(v - top) for v in rest))
    return log_p[k], log_q


def naive_kd(zs: torch.Tensor, zt: torch.Tensor, tau: float) -> torch.Tensor:
    """KD per sample: ``τ²·KL(softmax(zt/τ) ‖ softmax(zs/τ))``."""
    return torch.tensor(
        [naive_kl(t, s, tau) for s, t in zip(_rows(zs), _rows(zt))],
        dtype=torch.float64)


def naive_dkd(zs: torch.Tensor, zt: torch.Tensor, y: torch.Tensor, tau: float,
              alpha: float, beta: float) -> torch.Tensor:
    """DKD per sample: ``α·TCKD + β·NCKD`` (``docs/methods/kd_dkd.md``)."""
    out = []
    for s, t, label in zip(_rows(zs), _rows(zt), y.reshape(-1).tolist()):
        lpt, lqt = _log_pick(t, label, tau)
        lps, lqs = _log_pick(s, label, tau)
        tckd = _naive_binary_kl(
            math.exp(lpt), math.exp(lps), lpt, lqt, lps, lqs) * tau**2
        others = [c for c in range(len(s)) if c != label]
        nckd = naive_kl([t[c] for c in others], [s[c] for c in others], tau)
        out.append(alpha * tckd + beta * nckd)
    return torch.tensor(out, dtype=torch.float64)


def naive_rld(zs: torch.Tensor,
              zt: torch.Tensor,
              y: torch.Tensor,
              tau: float,
              alpha: float,
              beta: float,
              alpha_tau: float = None) -> torch.Tensor:
    """RLD per sample: ``α·SCD + β·MCD`` (``docs/methods/rld.md``).

    ``alpha_tau`` (``τa`` of SCD) defaults to ``tau``.
    """
    tau_a = tau if alpha_tau is None else alpha_tau
    out = []
    for s, t, label in zip(_rows(zs), _rows(zt), y.reshape(-1).tolist()):
        m = max(range(len(t)), key=lambda c: (t[c], -c))  # first max
        lpt, lqt = _log_pick(t, m, tau_a)
        lps, lqs = _log_pick(s, label, tau_a)
        scd = _naive_binary_kl(
            math.exp(lpt), math.exp(lps), lpt, lqt, lps, lqs) * tau_a**2
        kept = [c for c in range(len(t)) if c != label and t[c] < t[label]]
        mcd = naive_kl([t[c] for c in kept], [s[c] for c in kept], tau)
        out.append(alpha * scd + beta * mcd)
    return torch.tensor(out, dtype=torch.float64)


def naive_adw(r: int,
              r2: int,
              eps: float = 1.5,
              delta: float = 2.0,
              lam: float = 0.05) -> float:
    """``ADW(r, r') = 1/(|r − r'| + ε) · δ·exp(−λ(r + r'))``, 1-based ranks."""
    return 1.0 / (abs(r - r2) + eps) * delta * math.exp(-lam * (r + r2))


def naive_ldrld(zs: torch.Tensor,
                zt: torch.Tensor,
                tau: float = 4.0,
                topk: int = 7,
                alpha: float = 10.5,
                beta: float = 7.0,
                eps: float = 1.5,
                delta: float = 2.0,
                lam: float = 0.05) -> torch.Tensor:
    """LDRLD per sample (``docs/methods/ldrld.md``), one pair at a time.

    ``I`` = the student's top-``topk`` classes ranked by student logit
    (equal logits: lower class index first).
    """
    out = []
    for s, t in zip(_rows(zs), _rows(zt)):
        ranked = sorted(range(len(s)), key=lambda c: (-s[c], c))[:topk]
        terms = []
        for a in range(topk):
            for b in range(a + 1, topk):
                i, j = ranked[a], ranked[b]
                kl = naive_kl([t[i], t[j]], [s[i], s[j]], tau)
                terms.append(naive_adw(a + 1, b + 1, eps, delta, lam) * kl)
        terms.append(
            naive_kl([t[c] for c in ranked], [s[c] for c in ranked], tau))
        local = math.fsum(terms) / (topk * (topk - 1) // 2 + 1)
        rest = [c for c in range(len(s)) if c not in ranked]
        rntk = naive_kl([t[c] for c in rest], [s[c] for c in rest], tau)
        out.append(alpha * local + beta * rntk)
    return torch.tensor(out, dtype=torch.float64)
