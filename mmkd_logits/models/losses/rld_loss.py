"""RLD: Refined Logit Distillation.

Reference:
    Wujie Sun, Defang Chen, Siwei Lyu, Genlang Chen, Chun Chen, Can Wang.
    "Knowledge Distillation with Refined Logits", arXiv:2408.07703
    (authors' code: github.com/zju-SWJ/RLD).

The math is in ``docs/methods/rld.md``; as in the authors' code the
sample-confidence term has its own temperature ``alpha_tau`` (defaulting to
``tau``).
"""
from typing import Dict, Optional, Tuple

import torch
from mmrazor.registry import MODELS
from torch import Tensor
from torch.autograd.function import once_differentiable

from .base_logit_loss import BaseLogitLoss
from .utils import check_positive

__all__ = ['RLDLoss']


@MODELS.register_module()
class RLDLoss(BaseLogitLoss):
    """Refined Logit Distillation (RLD).

    Sun et al., "Knowledge Distillation with Refined Logits",
    arXiv:2408.07703; ``docs/methods/rld.md``. Per sample
    ``α·SCD + β·MCD``:

    - SCD (sample confidence distillation), with ``τa = alpha_tau``,
      ``p = softmax(z/τa)`` and ``m = argmax zt`` (the teacher's top class;
      the first one on ties): ``τa²·KL([pt_m, 1−pt_m] ‖ [ps_y, 1−ps_y])``.
    - MCD (masked correlation distillation): drop ``y`` and every class with
      ``zt_c ≥ zt_y``; on the remaining set ``R``,
      ``τ²·KL(softmax_R(zt/τ) ‖ softmax_R(zs/τ))`` (0 when ``R`` is empty).

    When the teacher's top class is the label and ``τa = τ``, RLD equals DKD
    with the same ``α, β``. Both terms are one autograd function with a
    hand-written backward (:class:`_RLDTerms`).

    Config (the authors' CIFAR-100 default; warm-up 20 in the distiller)::

        distill_losses=dict(loss_rld=dict(type=RLDLoss, tau=4, beta=8))

    Args:
        tau: temperature ``τ`` of MCD (> 0). Defaults to 4.0.
        alpha: weight ``α`` of SCD. Defaults to 1.0.
        beta: weight ``β`` of MCD. Defaults to 8.0.
        alpha_tau: temperature ``τa`` of SCD; ``None`` uses ``tau`` (the
            authors' code has this separate knob). Defaults to None.
        reduction: ``'batchmean'``, ``'sum'`` or ``'none'`` (``[B]``).
        loss_weight: multiplies the result last. Defaults to 1.0.

    Terms logged by :class:`LogitDistiller`: ``scd``, ``mcd``.
    """

    uses_labels = True

    def __init__(self,
                 tau: float = 4.0,
                 alpha: float = 1.0,
                 beta: float = 8.0,
                 alpha_tau: Optional[float] = None,
                 reduction: str = 'batchmean',
                 loss_weight: float = 1.0) -> None:
        super().__init__(reduction, loss_weight)
        self.tau = check_positive('RLDLoss: tau', tau)
        self.alpha_tau = self.tau if alpha_tau is None else check_positive(
            'RLDLoss: alpha_tau', alpha_tau)
        self.alpha = check_positive('RLDLoss: alpha', alpha, strict=False)
        self.beta = check_positive('RLDLoss: beta', beta, strict=False)

    def terms(self, zs: Tensor, zt: Tensor,
              labels: Optional[Tensor]) -> Dict[str, Tensor]:
        batch_shape = zs.shape[:-1]
        num_classes = zs.shape[-1]
        scd, mcd = _RLDTerms.apply(
            zs.reshape(-1, num_classes), zt.reshape(-1, num_classes),
            labels.reshape(-1), self.tau, self.alpha_tau)
        return {
            'scd': self.alpha * scd.reshape(batch_shape),
            'mcd': self.beta * mcd.reshape(batch_shape)
        }


def _lse_from_softmax(x: Tensor, p: Tensor) -> Tensor:
    """``logsumexp(x)`` from ``p = softmax(x)``: ``max x − log max p``.

    ``max p ≥ 1/C`` is exact to rounding, so this costs two row maxima
    instead of another pass of ``exp`` over every logit."""
    return x.amax(-1) - p.amax(-1).log()


def _binary_log_probs(d: Tensor) -> Tuple[Tensor, Tensor]:
    """``(log p, log(1 − p))`` with ``p = sigmoid(d)``, exact at any ``d``.

    For one class against all the others, ``d = z_i − logsumexp_{c≠i} z_c``
    (so ``p`` is the class's softmax probability)."""
    zero = d.new_zeros(())
    return -torch.logaddexp(zero, -d), -torch.logaddexp(zero, d)


def _without(x: Tensor, index: Tensor) -> Tensor:
    """A copy of ``x`` with class ``index`` set to ``-inf``."""
    return x.scatter(-1, index.unsqueeze(-1), float('-inf'))


class _RLDTerms(torch.autograd.Function):
    """RLD's two per-sample terms ``(SCD, MCD)`` with a hand-written backward.

    Autograd through the dozen masked/gathered tensors of the plain
    formulation costs several times a KD step; the gradients are short
    (``p = softmax(zs/τa)``, ``Q = softmax`` over ``c ≠ y``, ``q = 1 − p``):

    - ``∂SCD/∂zs_y = τa·(ps_y − pt_m)``,
      ``∂SCD/∂zs_c = τa·Q_c·(qs_y − qt_m)`` for ``c ≠ y``;
    - ``∂MCD/∂zs_c = τ·(softmax_R(zs/τ)_c − softmax_R(zt/τ)_c)`` on ``R``,
      0 elsewhere.

    Inputs are ``[N, C]`` float logits and ``[N]`` labels; the teacher gets
    no gradient.
    """

    @staticmethod
    def forward(ctx, zs: Tensor, zt: Tensor, labels: Tensor, tau: float,
                tau_a: float) -> Tuple[Tensor, Tensor]:
        idx = labels.unsqueeze(-1)
        # Only the fused softmax kernel touches every logit with an exp (one
        # pass each for the two SCD sides and the two MCD sides); masks are
        # -inf entries or a huge finite offset, never where/masked_fill,
        # which are several times slower on CPU.
        # --- SCD on z/τa: one class against all the others
        xs_a = zs / tau_a
        xt_a = zt / tau_a
        xs_rest = _without(xs_a, labels)
        q_s = xs_rest.softmax(-1)  # softmax over c ≠ y: the gradient's Q
        log_ps, log_qs = _binary_log_probs(
            xs_a.gather(-1, idx).squeeze(-1) - _lse_from_softmax(xs_rest, q_s))
        t_max, top = xt_a.max(-1)
        xt_rest = _without(xt_a, top)
        log_pt, log_qt = _binary_log_probs(
            t_max - _lse_from_softmax(xt_rest, xt_rest.softmax(-1)))
        pt, qt = log_pt.exp(), log_qt.exp()
        scd = (pt * (log_pt - log_ps) + qt * (log_qt - log_qs)) * tau_a**2
        # --- MCD on R = {c : zt_c < zt_y} with temperature τ. Classes
        # outside R are pushed down by BIG: their probabilities underflow to
        # exactly 0 and every value stays finite
        xs = xs_a if tau == tau_a else zs / tau
        xt = xt_a if tau == tau_a else zt / tau
        big = torch.finfo(xs.dtype).max / 8
        # (a float mask: ``add`` with a bool tensor converts it every time)
        out_r = (zt >= zt.gather(-1, idx)).to(xs.dtype)
        xs_r = torch.add(xs, out_r, alpha=-big)
        xt_r = torch.add(xt, out_r, alpha=-big)
        psr, ptr = xs_r.softmax(-1), xt_r.softmax(-1)
        # KL = Σ_R ptr·(xt − xs) − lse_R(xt) + lse_R(xs) (ptr is 0 off R)
        mcd = ((ptr * (xt - xs)).sum(-1) - _lse_from_softmax(xt_r, ptr) +
               _lse_from_softmax(xs_r, psr))
        nonempty = (xt_r.amax(-1) > -big / 2).to(xs.dtype)  # R = ∅: 0
        mcd = mcd * (nonempty * tau**2)
        # KL ≥ 0: only rounding can take it below
        scd.clamp_min_(0.0)
        mcd.clamp_min_(0.0)
        ctx.save_for_backward(labels, q_s, log_ps, log_qs, pt, qt, psr, ptr,
                              nonempty)
        ctx.taus = (tau, tau_a)
        return scd, mcd

    @staticmethod
    @once_differentiable
    def backward(ctx, grad_scd: Optional[Tensor], grad_mcd: Optional[Tensor]):
        labels, q_s, log_ps, log_qs, pt, qt, psr, ptr, nonempty = (
            ctx.saved_tensors)
        tau, tau_a = ctx.taus
        grad = None
        if grad_scd is not None:
            # c ≠ y: τa·Q_c·(qs − qt); c = y: τa·(ps − pt)
            scale = (log_qs.exp() - qt) * grad_scd * tau_a
            grad = q_s * scale.unsqueeze(-1)
            at_y = (log_ps.exp() - pt) * grad_scd * tau_a
            grad.scatter_(-1, labels.unsqueeze(-1), at_y.unsqueeze(-1))
        if grad_mcd is not None:
            # on R: τ·(softmax_R(zs/τ) − softmax_R(zt/τ)); 0 off R
            g = (psr - ptr).mul_((grad_mcd * nonempty * tau).unsqueeze(-1))
            grad = g if grad is None else grad.add_(g)
        return grad, None, None, None, None
