"""Teacher vs student pairwise class relations on a validation subset.

LDRLD distils the *relations* between the student's top-``d`` classes: for a
rank pair ``(r, r')`` the 2-class probability
``P(r ≻ r') = σ((z_{i_r} − z_{i_r'}) / T)``. :func:`relation_stats`
computes, over a dataloader:

* the teacher's and the student's relation maps, ``R[r, r'] = mean over
  samples of P(r ≻ r')`` for all rank pairs of each sample's top-``d``
  classes (ranked by the student's logits as LDRLD does, or by the
  teacher's); ``R[r, r] = 0.5`` and ``R[r, r'] + R[r', r] = 1``;
* the KL of every rank pair, ``T² · KL`` of the two 2-class distributions
  (mean over samples; the pair terms of LDRLD before ADW weighting);
* the top-1 agreement between teacher and student (and each one's top-1
  accuracy when the data has labels).
"""
import os.path as osp
from typing import Any, Dict, List, Optional, Sequence

from .common import (finish, is_distill, iterate_batches, labels_of,
                     model_and_loader, save_figure, use_agg)

__all__ = [
    'default_tau_topk', 'relation_stats', 'plot_relations', 'analyse_relations'
]


def default_tau_topk(cfg) -> Dict[str, Any]:
    """``tau`` and ``topk`` of the config's first distillation loss that
    has them (LDRLD's ``topk``); defaults ``tau=1``, ``topk=7``."""
    out: Dict[str, Any] = {'tau': None, 'topk': None}
    losses = ((cfg.model.get('distiller') or {}).get('distill_losses') or {})
    for loss in losses.values():
        for key in ('tau', 'topk'):
            if out[key] is None and key in loss:
                out[key] = loss[key]
    return {'tau': float(out['tau'] or 1.0), 'topk': int(out['topk'] or 7)}


class _Accumulator:
    """Running sums of the relation maps, pair KLs and agreements."""

    def __init__(self, topk: int, tau: float, rank_by: str) -> None:
        import torch

        from mmkd_logits.models.losses.ldrld_loss import adw_weights
        self.topk, self.tau, self.rank_by = topk, tau, rank_by
        self.first, self.second, _ = adw_weights(topk)
        self.rel = {
            m: torch.zeros(topk, topk, dtype=torch.float64)
            for m in ('teacher', 'student')
        }
        self.pair_kl = torch.zeros(len(self.first), dtype=torch.float64)
        self.count = 0
        self.agree = 0
        self.correct = {'teacher': 0, 'student': 0}
        self.labelled = 0

    def update(self, zt, zs, labels=None) -> None:
        import torch

        from mmkd_logits.models.losses.ldrld_loss import ranked_topk_indices
        from mmkd_logits.models.losses.utils import pair_binary_kl
        zt, zs = zt.double().cpu(), zs.double().cpu()
        idx = ranked_topk_indices(zs if self.rank_by == 'student' else zt,
                                  self.topk)
        tops = {'teacher': zt.gather(-1, idx), 'student': zs.gather(-1, idx)}
        for name, top in tops.items():
            diff = top[:, :, None] - top[:, None, :]  # [B, d, d]
            self.rel[name] += torch.sigmoid(diff / self.tau).sum(0)
        d_t = tops['teacher'][:, self.first] - tops['teacher'][:, self.second]
        d_s = tops['student'][:, self.first] - tops['student'][:, self.second]
        self.pair_kl += pair_binary_kl(d_t, d_s, self.tau).sum(0)
        self.count += zt.shape[0]
        pred_t, pred_s = zt.argmax(-1), zs.argmax(-1)
        self.agree += int((pred_t == pred_s).sum())
        if labels is not None:
            labels = labels.cpu()
            self.correct['teacher'] += int((pred_t == labels).sum())
            self.correct['student'] += int((pred_s == labels).sum())
            self.labelled += labels.numel()

    def result(self) -> Dict[str, Any]:
        n = max(self.count, 1)
        kl = [[None] * self.topk for _ in range(self.topk)]
        pairs = []
        for a, b, v in zip(self.first.tolist(), self.second.tolist(),
                           (self.pair_kl / n).tolist()):
            kl[a][b] = v
            pairs.append([a + 1, b + 1, v])
        out = dict(
            num_samples=self.count,
            topk=self.topk,
            tau=self.tau,
            rank_by=self.rank_by,
            teacher_relation=(self.rel['teacher'] / n).tolist(),
            student_relation=(self.rel['student'] / n).tolist(),
            relation_abs_diff=float(
                ((self.rel['teacher'] - self.rel['student']).abs() /
                 n).mean()),
            pair_kl=kl,
            pair_kl_list=pairs,
            pair_kl_mean=float(self.pair_kl.sum() / n / max(len(pairs), 1)),
            top1_agreement=self.agree / n)
        if self.labelled:
            out['teacher_top1'] = self.correct['teacher'] / self.labelled
            out['student_top1'] = self.correct['student'] / self.labelled
        return out


def relation_stats(model,
                   loader,
                   topk: int,
                   tau: float,
                   rank_by: str = 'student') -> Dict[str, Any]:
    """Relation maps, pair KLs and agreement of a distillation model.

    Args:
        model: a ``SingleTeacherDistill`` in eval mode.
        loader: a dataloader of the config's pipeline.
        topk: ``d``, number of ranked classes (< number of classes).
        tau: temperature of the 2-class softmaxes.
        rank_by: ``'student'`` (as LDRLD) or ``'teacher'``.
    """
    if rank_by not in ('student', 'teacher'):
        raise ValueError(f"rank_by must be 'student' or 'teacher', got "
                         f'{rank_by!r}')
    acc = _Accumulator(topk, tau, rank_by)
    for inputs, samples in iterate_batches(model, loader):
        zt = model.teacher(inputs, mode='tensor')
        zs = model.architecture(inputs, mode='tensor')
        if zt.shape[-1] <= topk:
            raise ValueError(f'--topk {topk} must be smaller than the number '
                             f'of classes ({zt.shape[-1]})')
        acc.update(zt, zs, labels_of(samples))
    if acc.count == 0:
        raise ValueError('the validation subset is empty')
    return acc.result()


def plot_relations(stats: Dict[str, Any],
                   stem: str,
                   formats: Sequence[str] = ('png', )) -> List[str]:
    """Side-by-side heatmaps of :func:`relation_stats`; return the paths."""
    import numpy as np
    plt = use_agg()
    d = stats['topk']
    ticks = list(range(d))
    labels = [str(i + 1) for i in ticks]
    fig, axes = plt.subplots(1, 3, figsize=(4.2 * 3 + 1.5, 4.4))
    for ax, name in zip(axes[:2], ('teacher', 'student')):
        image = ax.imshow(
            np.array(stats[f'{name}_relation']),
            cmap='RdBu_r',
            vmin=0.0,
            vmax=1.0)
        ax.set_title(f"{name}: mean P(r ≻ r')")
    fig.colorbar(
        image,
        ax=axes[:2].tolist(),
        shrink=0.8,
        label="2-class probability of rank r over r'")
    kl = np.array([[np.nan if v is None else v for v in row]
                   for row in stats['pair_kl']])
    kl_image = axes[2].imshow(np.ma.masked_invalid(kl), cmap='magma')
    fig.colorbar(kl_image, ax=axes[2], shrink=0.8, label='T²·KL')
    axes[2].set_title('KL per rank pair (teacher ‖ student)')
    for ax in axes:
        ax.set_xticks(ticks, labels)
        ax.set_yticks(ticks, labels)
        ax.set_xlabel("rank r'")
        ax.set_ylabel('rank r')
    title = (f"top-{d} of the {stats['rank_by']} (T={stats['tau']:g}), "
             f"{stats['num_samples']} samples; top-1 agreement "
             f"{100 * stats['top1_agreement']:.1f}%")
    if 'teacher_top1' in stats:
        title += (f"; top-1 teacher {100 * stats['teacher_top1']:.1f}%, "
                  f"student {100 * stats['student_top1']:.1f}%")
    fig.suptitle(title)
    return save_figure(fig, stem, formats)


def analyse_relations(config: str,
                      checkpoint: str,
                      out_dir: str,
                      topk: Optional[int] = None,
                      tau: Optional[float] = None,
                      rank_by: str = 'student',
                      formats: Sequence[str] = ('png', ),
                      **loader_args) -> Dict[str, Any]:
    """:func:`relation_stats` of a distillation checkpoint on its config's
    validation subset, drawn (:func:`plot_relations`) and written to
    ``out_dir/logit_relations.{png,svg,json}``.

    Args:
        topk, tau: default to the config's LDRLD ``topk`` and loss ``tau``
            (:func:`default_tau_topk`).
        loader_args: ``cfg_options``, ``split``, ``num_samples``,
            ``batch_size``, ``device`` of
            :func:`~mmkd_logits.apis.analysis.common.model_and_loader`.

    Returns:
        dict: the numbers, with the written ``files``.

    Raises:
        ValueError: the config is not a distillation config.
    """
    cfg, model, loader = model_and_loader(config, checkpoint, **loader_args)
    if not is_distill(model):
        raise ValueError(f'{config}: not a distillation config (no teacher '
                         'and student)')
    defaults = default_tau_topk(cfg)
    stats = relation_stats(model, loader,
                           defaults['topk'] if topk is None else topk,
                           defaults['tau'] if tau is None else tau, rank_by)
    stats.update(
        config=osp.abspath(config), checkpoint=osp.abspath(checkpoint))
    stem = osp.join(out_dir, 'logit_relations')
    return finish(stats, plot_relations(stats, stem, formats), stem)
