"""SDD's consistent and complementary regions, per scale.

Scale Decoupled Distillation classifies every region of the final feature
map at several scales (``MultiScaleLogitsRecorder``) and doubles the weight
of the *complementary* regions: those whose prediction is right while the
global one is wrong, or the reverse (teacher only, ``SDDLoss``).
:func:`region_stats` measures, for the teacher and the student of a
distillation model (or one classifier), over a dataloader:

* per scale, the fraction of (image, region) pairs that are consistent
  (both right / both wrong) or complementary (global right and region wrong /
  global wrong and region right) — the four fractions sum to 1 per scale;
* the top-1 accuracy of the global region and of each scale's regions;

and keeps a few images with each scale's region predictions for
:func:`plot_examples`. The regions are those of the config's
``MultiScaleLogits`` recorder (:func:`region_settings`). The global
prediction is region 0 when the first scale is 1 (as ``SDDLoss`` uses it),
else the model's own logits.
"""
import os.path as osp
from typing import Any, Dict, List, Optional, Sequence

from .common import (classifiers, finish, iterate_batches, labels_of,
                     model_and_loader, save_figure, use_agg)

__all__ = [
    'CATEGORIES', 'region_settings', 'region_stats', 'plot_fractions',
    'plot_examples'
]

#: (global right?, region right?) → category; the first two are consistent
CATEGORIES = ('both_right', 'both_wrong', 'global_right_region_wrong',
              'global_wrong_region_right')


def region_settings(cfg,
                    overrides: Optional[Dict[str,
                                             Any]] = None) -> Dict[str, Any]:
    """Recorder settings: the config's first ``MultiScaleLogits`` recorder
    (teacher's first), updated with the non-``None`` ``overrides``."""
    settings: Dict[str, Any] = dict(
        source='backbone', fc='head.fc', scales=(1, 2, 4), base_grid=4)
    distiller = cfg.model.get('distiller') or {}
    for group in ('teacher_recorders', 'student_recorders'):
        found = [
            r for r in (distiller.get(group) or {}).values()
            if str(r.get('type', '')).startswith('MultiScaleLogits')
        ]
        if found:
            settings.update({k: v for k, v in found[0].items() if k != 'type'})
            break
    settings.update({
        k: v
        for k, v in (overrides or {}).items() if v is not None
    })
    settings['scales'] = tuple(int(s) for s in settings['scales'])
    return settings


class _Stats:
    """Counts per scale of the four categories and of right regions."""

    def __init__(self, scales: Sequence[int]) -> None:
        self.scales = tuple(scales)
        self.counts = {s: dict.fromkeys(CATEGORIES, 0) for s in self.scales}
        self.region_right = dict.fromkeys(self.scales, 0)
        self.regions = dict.fromkeys(self.scales, 0)
        self.global_right = 0
        self.samples = 0

    def update(self, correct, global_correct) -> None:
        """``correct`` ``[B, N]`` and ``global_correct`` ``[B]`` (bool)."""
        g = global_correct[:, None]
        start = 0
        for s in self.scales:
            c = correct[:, start:start + s * s]
            start += s * s
            cnt = self.counts[s]
            cnt['both_right'] += int((c & g).sum())
            cnt['both_wrong'] += int((~c & ~g).sum())
            cnt['global_right_region_wrong'] += int((~c & g).sum())
            cnt['global_wrong_region_right'] += int((c & ~g).sum())
            self.region_right[s] += int(c.sum())
            self.regions[s] += c.numel()
        self.global_right += int(global_correct.sum())
        self.samples += global_correct.numel()

    def result(self) -> Dict[str, Any]:
        per_scale = {}
        for s in self.scales:
            total = max(self.regions[s], 1)
            frac = {k: v / total for k, v in self.counts[s].items()}
            frac['consistent'] = frac['both_right'] + frac['both_wrong']
            frac['complementary'] = (
                frac['global_right_region_wrong'] +
                frac['global_wrong_region_right'])
            frac['region_top1'] = self.region_right[s] / total
            frac['num_regions'] = s * s
            per_scale[str(s)] = frac
        return dict(
            per_scale=per_scale,
            global_top1=self.global_right / max(self.samples, 1))


def region_stats(model,
                 loader,
                 settings: Dict[str, Any],
                 num_examples: int = 4) -> Dict[str, Any]:
    """Fractions per scale for every classifier of ``model`` + examples.

    Args:
        model: a distillation model or a classifier, in eval mode.
        loader: a dataloader with labelled samples.
        settings: :func:`region_settings`.
        num_examples: how many images to keep for the example grid.

    Returns:
        dict: ``models`` (per classifier: ``per_scale``, ``global_top1``),
        ``examples`` (label and per-scale predictions of the first images)
        and ``example_images`` (uint8 HWC arrays, not JSON).
    """
    from mmkd_logits.models.recorders import MultiScaleLogitsRecorder
    scales = settings['scales']
    models = classifiers(model)
    recorders = {}
    for name, net in models.items():
        rec = MultiScaleLogitsRecorder(
            source=settings['source'],
            fc=settings['fc'],
            scales=scales,
            base_grid=settings['base_grid'])
        rec.initialize(net)
        recorders[name] = rec
    stats = {name: _Stats(scales) for name in models}
    examples: List[Dict[str, Any]] = []
    images: List[Any] = []
    for inputs, samples in iterate_batches(model, loader):
        labels = labels_of(samples)
        if labels is None:
            raise ValueError('sdd_regions needs single-label ground truth '
                             'in the dataset')
        labels = labels.to(inputs.device)
        preds = {}
        for name, net in models.items():
            with recorders[name]:
                logits = net(inputs, mode='tensor')
            regions = recorders[name].get_record_data()  # [B, K, N]
            region_pred = regions.argmax(dim=1)  # [B, N]
            global_pred = region_pred[:, 0] if scales[0] == 1 else \
                logits.argmax(-1)
            correct = region_pred == labels[:, None]
            stats[name].update(correct.cpu(), (global_pred == labels).cpu())
            preds[name] = (region_pred.cpu(), global_pred.cpu())
        for b in range(inputs.shape[0]):
            if len(examples) >= num_examples:
                break
            example = dict(label=int(labels[b]))
            for name, (region_pred, global_pred) in preds.items():
                grids, start = {}, 0
                for s in scales:
                    cell = region_pred[b, start:start + s * s]
                    grids[str(s)] = cell.reshape(s, s).tolist()
                    start += s * s
                example[name] = dict(
                    global_pred=int(global_pred[b]), regions=grids)
            examples.append(example)
            images.append(_to_image(model, inputs[b]))
    return dict(
        scales=list(scales),
        settings=dict(settings, scales=list(scales)),
        num_samples=next(iter(stats.values())).samples,
        models={
            n: s.result()
            for n, s in stats.items()
        },
        examples=examples,
        example_images=images)


def _to_image(model, tensor):
    """A preprocessed input back to a uint8 HWC image (approximately)."""
    import torch
    pre = model.data_preprocessor
    x = tensor.detach().float().cpu()
    mean, std = getattr(pre, 'mean', None), getattr(pre, 'std', None)
    if mean is not None and std is not None and x.dim() == 3:
        x = x * std.detach().cpu().reshape(-1, 1, 1) + \
            mean.detach().cpu().reshape(-1, 1, 1)
    x = x.clamp(0, 255).to(torch.uint8)
    return x.permute(1, 2, 0).numpy() if x.dim() == 3 else x.numpy()


def plot_fractions(stats: Dict[str, Any],
                   stem: str,
                   formats: Sequence[str] = ('png', )) -> List[str]:
    """Stacked bars of the four fractions per scale and model."""
    plt = use_agg()
    names = list(stats['models'])
    scales = [str(s) for s in stats['scales']]
    colors = dict(
        both_right='#4caf50',
        both_wrong='#9e9e9e',
        global_right_region_wrong='#ff9800',
        global_wrong_region_right='#2196f3')
    fig, axes = plt.subplots(
        1,
        len(names),
        squeeze=False,
        figsize=(1.2 + 2.2 * len(scales) * len(names), 4.0))
    for ax, name in zip(axes[0], names):
        per_scale = stats['models'][name]['per_scale']
        bottom = [0.0] * len(scales)
        for cat in CATEGORIES:
            values = [per_scale[s][cat] for s in scales]
            ax.bar(
                scales,
                values,
                bottom=bottom,
                color=colors[cat],
                label=cat.replace('_', ' '))
            bottom = [b + v for b, v in zip(bottom, values)]
        for i, s in enumerate(scales):
            ax.text(
                i,
                1.02,
                f"{100 * per_scale[s]['complementary']:.0f}%",
                ha='center',
                fontsize=8)
        ax.set_ylim(0, 1.1)
        ax.set_xlabel('scale (s × s regions)')
        ax.set_ylabel('fraction of (image, region) pairs')
        ax.set_title(f"{name}: global top-1 "
                     f"{100 * stats['models'][name]['global_top1']:.1f}%")
    axes[0][-1].legend(loc='upper left', bbox_to_anchor=(1.0, 1.0), fontsize=8)
    fig.suptitle(f"SDD regions on {stats['num_samples']} images "
                 '(numbers: complementary share)')
    return save_figure(fig, stem, formats)


def plot_examples(stats: Dict[str, Any],
                  stem: str,
                  formats: Sequence[str] = ('png', )) -> List[str]:
    """Images with every scale's region predictions (green right)."""
    import numpy as np
    from matplotlib.colors import ListedColormap
    plt = use_agg()
    examples, images = stats['examples'], stats['example_images']
    names = list(stats['models'])
    scales = [str(s) for s in stats['scales']]
    cols = 1 + len(names) * len(scales)
    rows = max(len(examples), 1)
    fig, axes = plt.subplots(
        rows, cols, squeeze=False, figsize=(1.9 * cols, 1.9 * rows + 0.4))
    cmap = ListedColormap(['#e57373', '#81c784'])
    for r, (example, image) in enumerate(zip(examples, images)):
        axes[r][0].imshow(image)
        axes[r][0].set_title(f"label {example['label']}", fontsize=8)
        c = 1
        for name in names:
            for s in scales:
                grid = np.array(example[name]['regions'][s])
                ax = axes[r][c]
                ax.imshow(grid == example['label'], cmap=cmap, vmin=0, vmax=1)
                if grid.shape[0] <= 4:
                    for (i, j), v in np.ndenumerate(grid):
                        ax.text(
                            j, i, str(v), ha='center', va='center', fontsize=7)
                ax.set_title(f'{name} {s}×{s}', fontsize=8)
                c += 1
    for ax in axes.flat:
        ax.set_xticks([])
        ax.set_yticks([])
    fig.suptitle(
        'region predictions (class index; green: right, red: '
        'wrong)',
        fontsize=9)
    return save_figure(fig, stem, formats)


def analyse_regions(config: str,
                    checkpoint: str,
                    out_dir: str,
                    overrides: Optional[Dict[str, Any]] = None,
                    direct_pooling: bool = False,
                    num_examples: int = 4,
                    formats: Sequence[str] = ('png', ),
                    **loader_args) -> Dict[str, Any]:
    """:func:`region_stats` of a checkpoint on its config's validation
    subset, drawn and written to ``out_dir``: ``sdd_regions.{png,svg}``
    (:func:`plot_fractions`), ``sdd_region_examples.{png,svg}``
    (:func:`plot_examples`) and ``sdd_regions.json``.

    Args:
        overrides: recorder settings that replace the config's
            (:func:`region_settings`; ``None`` values are ignored).
        direct_pooling: pool every scale straight from the feature map
            (``base_grid=None``).
        loader_args: ``cfg_options``, ``split``, ``num_samples``,
            ``batch_size``, ``device`` of
            :func:`~mmkd_logits.apis.analysis.common.model_and_loader`.

    Returns:
        dict: the numbers, with the written ``files``.
    """
    cfg, model, loader = model_and_loader(config, checkpoint, **loader_args)
    settings = region_settings(cfg, overrides)
    if direct_pooling:
        settings['base_grid'] = None
    stats = region_stats(model, loader, settings, num_examples)
    stats.update(
        config=osp.abspath(config), checkpoint=osp.abspath(checkpoint))
    stem = osp.join(out_dir, 'sdd_regions')
    files = plot_fractions(stats, stem, formats)
    if stats['examples']:
        files += plot_examples(stats, osp.join(out_dir, 'sdd_region_examples'),
                               formats)
    numbers = {k: v for k, v in stats.items() if k != 'example_images'}
    return finish(numbers, files, stem)
