"""Forward+backward time and memory of the logit-distillation losses.

Every loss of :data:`ENTRIES` is timed on random logits at the CIFAR-100
(``B=64, C=100``) and ImageNet (``B=256`` and ``512``, ``C=1000``) shapes
(:data:`SHAPES`) and compared with ``KDLoss`` measured in
the same run (:func:`run`; :func:`to_markdown` makes the table).

What is measured:

- **time**: median wall time of ``loss(...)`` + ``backward()`` over
  interleaved rounds (every loss runs once per round, so load drift on a
  shared machine hits all losses alike), after warm-up runs (CUDA is
  synchronised around each run). Input creation is outside the timed
  region.
- **memory**:
  - on CUDA, ``torch.cuda.max_memory_allocated`` during one forward+backward
    minus the memory allocated before it (the inputs are not counted);
  - on CPU, the bytes of the tensors autograd saves for backward during the
    forward (counted with ``torch.autograd.graph.saved_tensors_hooks``, each
    storage once). This is the activation memory the loss adds to a training
    step; transient temporaries freed within the forward are not included.

To add a loss, append one :class:`Entry` to :data:`ENTRIES`.
"""
import statistics
import time
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import torch

from ..models.losses import DKDLoss, KDLoss

__all__ = [
    'BASELINE', 'Entry', 'ENTRIES', 'SHAPES', 'QUICK_SHAPES', 'time_entry',
    'memory_entry', 'select_entries', 'run', 'to_markdown'
]

#: the reference every ratio is computed against
BASELINE = 'KD'


def logits_only(batch: int, num_classes: int, device: torch.device,
                generator: torch.Generator) -> Tuple[torch.Tensor, ...]:
    """Random ``(preds_S, preds_T)`` of shape ``[B, C]``."""
    zs = torch.randn(batch, num_classes, generator=generator) * 3
    zt = torch.randn(batch, num_classes, generator=generator) * 3
    return zs.to(device), zt.to(device)


def logits_and_labels(batch: int, num_classes: int, device: torch.device,
                      generator: torch.Generator) -> Tuple[torch.Tensor, ...]:
    """Random ``(preds_S, preds_T, gt_labels)``."""
    zs, zt = logits_only(batch, num_classes, device, generator)
    y = torch.randint(0, num_classes, (batch, ), generator=generator)
    return zs, zt, y.to(device)


#: SDD's regions at scales (1, 2, 4): N = 1 + 4 + 16
SDD_SCALES = (1, 2, 4)
SDD_REGIONS = sum(s * s for s in SDD_SCALES)


def region_logits_and_labels(
        batch: int, num_classes: int, device: torch.device,
        generator: torch.Generator) -> Tuple[torch.Tensor, ...]:
    """Random SDD region logits ``[B, C, 21]`` of student, teacher + labels."""
    zs = torch.randn(batch, num_classes, SDD_REGIONS, generator=generator) * 3
    zt = torch.randn(batch, num_classes, SDD_REGIONS, generator=generator) * 3
    y = torch.randint(0, num_classes, (batch, ), generator=generator)
    return zs.to(device), zt.to(device), y.to(device)


def _feature_shape(num_classes: int) -> Tuple[int, int, int]:
    """Final map ``(C_feat, H, W)``: ResNet-18 on ImageNet, ResNet32x4 on
    CIFAR-100."""
    return (512, 7, 7) if num_classes >= 1000 else (256, 8, 8)


def feature_maps_and_labels(
        batch: int, num_classes: int, device: torch.device,
        generator: torch.Generator) -> Tuple[torch.Tensor, ...]:
    """Random final feature maps of student and teacher, and labels."""
    shape = (batch, ) + _feature_shape(num_classes)
    fs = torch.randn(shape, generator=generator).relu()
    ft = torch.randn(shape, generator=generator).relu()
    y = torch.randint(0, num_classes, (batch, ), generator=generator)
    return fs.to(device), ft.to(device), y.to(device)


def build_sdd_with_recorders(cfg: dict, num_classes: int) -> torch.nn.Module:
    """SDD as in a training step: both ``MultiScaleLogitsRecorder`` region
    computations (the teacher's under ``no_grad``) + ``SDDLoss``; the
    student's input is its feature map, its classifier gets gradients."""
    from mmrazor.registry import MODELS

    from mmkd_logits.models.recorders import MultiScaleLogitsRecorder

    channels = _feature_shape(num_classes)[0]

    class _Model(torch.nn.Module):

        def __init__(self) -> None:
            super().__init__()
            self.backbone = torch.nn.Identity()
            self.fc = torch.nn.Linear(channels, num_classes)

    class _SDDWithRecorders(torch.nn.Module):

        def __init__(self) -> None:
            super().__init__()
            self.student, self.teacher = _Model(), _Model()
            self.rec_S = MultiScaleLogitsRecorder('backbone', 'fc', SDD_SCALES)
            self.rec_T = MultiScaleLogitsRecorder('backbone', 'fc', SDD_SCALES)
            self.rec_S.initialize(self.student)
            self.rec_T.initialize(self.teacher)
            self.loss = MODELS.build(cfg)

        def forward(self, feat_S, feat_T, gt_labels):
            with torch.no_grad():
                preds_T = self.rec_T.region_logits(feat_T)
            preds_S = self.rec_S.region_logits(feat_S)
            return self.loss(preds_S, preds_T, gt_labels)

    return _SDDWithRecorders()


@dataclass
class Entry:
    """One loss of the benchmark.

    Args:
        name: row label (``'KD'`` is the baseline of the ratios).
        cfg: config for ``mmrazor.registry.MODELS.build``.
        make_inputs: ``(B, C, device, generator) -> inputs``; the first
            input is the student's (it gets ``requires_grad``). Region-logit
            losses (SDD) pass their own.
        build: optional ``(cfg, num_classes) -> nn.Module`` used instead of
            ``MODELS.build(cfg)`` (SDD with its recorders).
    """
    name: str
    cfg: dict
    make_inputs: Callable = logits_only
    note: str = field(default='')
    build: Optional[Callable] = None


#: the losses benchmarked, in table order; add one line per new loss
ENTRIES: List[Entry] = [
    Entry('KD', dict(type=KDLoss, tau=4.0), logits_only),
    Entry('DKD', dict(type=DKDLoss, tau=4.0, alpha=1.0, beta=8.0),
          logits_and_labels),
    Entry('RLD', dict(type='RLDLoss', tau=4.0, alpha=1.0, beta=8.0),
          logits_and_labels),
    Entry('LDRLD', dict(type='LDRLDLoss', tau=4.0, topk=7), logits_only),
    Entry('AEKT', dict(type='AEKTLoss', tau=4.0, alpha=1.0, beta=8.0),
          logits_and_labels, 'reconstructed; distillation logits'),
    Entry('SDD-DKD', dict(type='SDDLoss', base='dkd', tau=4.0, beta=8.0),
          region_logits_and_labels, 'SDDLoss on [B, C, 21] region logits'),
    Entry('SDD-DKD+rec', dict(type='SDDLoss', base='dkd', tau=4.0,
                              beta=8.0), feature_maps_and_labels,
          'both recorders (feature maps -> [B, C, 21]) + SDDLoss',
          build_sdd_with_recorders),
]

#: (label, batch, classes)
SHAPES: List[Tuple[str, int, int]] = [
    ('CIFAR-100', 64, 100),
    ('ImageNet', 256, 1000),
    ('ImageNet', 512, 1000),
]

#: ``--quick``: small shapes for a smoke run
QUICK_SHAPES: List[Tuple[str, int, int]] = [
    ('CIFAR-100', 8, 100),
    ('ImageNet', 8, 1000),
]


def select_entries(names: Optional[Sequence[str]] = None) -> List[Entry]:
    """The entries named in ``names`` (all if ``None``); the baseline is
    always included.

    Raises:
        ValueError: naming the unknown names and the known ones.
    """
    if not names:
        return list(ENTRIES)
    known = [e.name for e in ENTRIES]
    unknown = sorted(set(names) - set(known))
    if unknown:
        raise ValueError(f'unknown losses {unknown}; known: {known}')
    return [e for e in ENTRIES if e.name in names or e.name == BASELINE]


def _sync(device: torch.device) -> None:
    if device.type == 'cuda':
        torch.cuda.synchronize(device)


def _step(loss_fn: torch.nn.Module, inputs: Sequence[torch.Tensor]) -> None:
    student = inputs[0].detach().requires_grad_()
    loss_fn(student, *inputs[1:]).backward()


def time_entry(loss_fn: torch.nn.Module, inputs: Sequence[torch.Tensor],
               device: torch.device, warmup: int, repeats: int) -> float:
    """Median forward+backward time in milliseconds."""
    for _ in range(warmup):
        _step(loss_fn, inputs)
    _sync(device)
    times = []
    for _ in range(repeats):
        _sync(device)
        start = time.perf_counter()
        _step(loss_fn, inputs)
        _sync(device)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3 if times else float('nan')


def memory_entry(loss_fn: torch.nn.Module, inputs: Sequence[torch.Tensor],
                 device: torch.device) -> int:
    """Bytes: CUDA peak above the inputs, or CPU saved-for-backward bytes."""
    if device.type == 'cuda':
        _sync(device)
        torch.cuda.reset_peak_memory_stats(device)
        before = torch.cuda.memory_allocated(device)
        _step(loss_fn, inputs)
        _sync(device)
        return torch.cuda.max_memory_allocated(device) - before
    seen: Dict[Tuple[int, int], int] = {}

    def pack(t: torch.Tensor) -> torch.Tensor:
        storage = t.untyped_storage()
        seen[(storage.data_ptr(), storage.nbytes())] = storage.nbytes()
        return t

    student = inputs[0].detach().requires_grad_()
    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        out = loss_fn(student, *inputs[1:])
    out.backward()
    return sum(seen.values())


def run(device: torch.device, entries: Sequence[Entry],
        shapes: Sequence[Tuple[str, int,
                               int]], warmup: int, repeats: int) -> List[dict]:
    """Benchmark ``entries`` at ``shapes``; one result dict per pair."""
    from mmengine.registry import DefaultScope
    from mmrazor.registry import MODELS

    with DefaultScope.overwrite_default_scope('mmrazor'):
        return _run(MODELS, device, entries, shapes, warmup, repeats)


def _run(MODELS, device: torch.device, entries: Sequence[Entry],
         shapes: Sequence[Tuple[str, int, int]], warmup: int,
         repeats: int) -> List[dict]:
    results = []
    for label, batch, classes in shapes:
        rows, jobs = [], []
        for entry in entries:
            generator = torch.Generator().manual_seed(0)
            inputs = entry.make_inputs(batch, classes, device, generator)
            loss_fn = (entry.build(dict(entry.cfg), classes) if entry.build
                       else MODELS.build(dict(entry.cfg))).to(device)
            jobs.append((entry, loss_fn, inputs))
        # interleaved rounds (one run of every loss per round) so that the
        # ratios to KD hold even when the machine's load drifts
        times: Dict[str, List[float]] = {e.name: [] for e, _, _ in jobs}
        for _, loss_fn, inputs in jobs:
            time_entry(loss_fn, inputs, device, warmup, 0)
        for _ in range(repeats):
            for entry, loss_fn, inputs in jobs:
                times[entry.name].append(
                    time_entry(loss_fn, inputs, device, 0, 1))
        for entry, loss_fn, inputs in jobs:
            mem = memory_entry(loss_fn, inputs, device)
            rows.append(
                dict(
                    loss=entry.name,
                    shape=label,
                    batch=batch,
                    classes=classes,
                    device=str(device),
                    ms=statistics.median(times[entry.name]),
                    bytes=mem))
        base = next((r for r in rows if r['loss'] == BASELINE), None)
        for r in rows:
            r['time_ratio'] = r['ms'] / base['ms'] if base else float('nan')
            r['mem_ratio'] = (
                r['bytes'] /
                base['bytes'] if base and base['bytes'] else float('nan'))
        results.extend(rows)
    return results


def to_markdown(results: Sequence[dict], device: torch.device) -> str:
    """Markdown table of :func:`run`'s results."""
    mem_label = ('peak CUDA MiB'
                 if device.type == 'cuda' else 'saved-for-backward MiB')
    lines = [
        f'| loss | shape (B×C) | device | fwd+bwd ms | × KD | {mem_label} '
        '| × KD |', '|---|---|---|---:|---:|---:|---:|'
    ]
    for r in results:
        lines.append(
            f"| {r['loss']} | {r['shape']} {r['batch']}×{r['classes']} | "
            f"{r['device']} | {r['ms']:.3f} | {r['time_ratio']:.2f} | "
            f"{r['bytes'] / 2**20:.2f} | {r['mem_ratio']:.2f} |")
    return '\n'.join(lines)
