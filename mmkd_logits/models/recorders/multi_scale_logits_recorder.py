"""Multi-scale region logits for Scale Decoupled Distillation (SDD).

Scale Decoupled Distillation, Wei Shicai, Luo Chao and Luo Yang, CVPR 2024
(arXiv:2403.13512). SDD decouples the global logit output into logits of
local regions at several scales: the final feature map (right before the
global pooling) is average-pooled to an ``s × s`` grid for every scale ``s``
and every pooled region is classified by the model's own linear classifier.
The distillation loss (:class:`~mmkd_logits.models.losses.SDDLoss`) is then
computed region by region.

This module provides that model side as an mmrazor recorder, so that no
backbone needs to be modified: a forward hook on the module producing the
feature map computes the region logits with the classifier's weights.
"""
from typing import Any, Dict, List, Optional, Sequence, Tuple

import torch
import torch.nn.functional as F
from mmrazor.models.task_modules.recorder import ModuleOutputsRecorder
from mmrazor.registry import TASK_UTILS
from torch import Tensor, nn

__all__ = [
    'MultiScaleLogitsRecorder', 'adaptive_pool_matrix', 'region_pool_matrix'
]


def _check_size(name: str, value: Any) -> int:
    """Return ``value`` if it is a positive ``int`` (``bool`` is refused)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f'MultiScaleLogitsRecorder: {name} must be a '
                         f'positive integer, got {value!r}')
    return value


def adaptive_pool_matrix(in_size: int,
                         out_size: int,
                         dtype: torch.dtype = torch.float64,
                         device: Optional[torch.device] = None) -> Tensor:
    """1-D adaptive average pooling as a matrix ``A`` of shape ``[out, in]``.

    Output cell ``i`` averages the inputs ``[floor(i·in/out),
    ceil((i+1)·in/out))``, exactly the windows of
    :func:`torch.nn.functional.adaptive_avg_pool2d` (which overlap when
    ``in`` is not a multiple of ``out``, and repeat inputs when
    ``out > in``).

    Args:
        in_size: length of the input axis.
        out_size: length of the pooled axis.
        dtype: dtype of the returned matrix.
        device: device of the returned matrix.
    """
    mat = torch.zeros(out_size, in_size, dtype=dtype, device=device)
    for i in range(out_size):
        start = (i * in_size) // out_size
        end = -((-(i + 1) * in_size) // out_size)  # ceil division
        mat[i, start:end] = 1.0 / (end - start)
    return mat


def region_pool_matrix(height: int,
                       width: int,
                       scales: Sequence[int],
                       base_grid: Optional[int] = 4,
                       dtype: torch.dtype = torch.float32,
                       device: Optional[torch.device] = None) -> Tensor:
    """Pooling matrix ``P`` ``[H·W, N]`` of all SDD regions of a map.

    ``F.flatten(2) @ P`` gives the pooled features ``[B, C, N]`` of the
    ``N = Σ s²`` regions, ordered by scale as listed and row-major within a
    scale. Adaptive average pooling is separable and linear, so pooling to a
    ``base_grid`` grid first and then to ``s × s`` is the product of the two
    1-D pooling matrices on each axis; the region weights are the outer
    product of the row and column weights. Computed in float64, then cast.

    Args:
        height: height ``H`` of the feature map.
        width: width ``W`` of the feature map.
        scales: grid sizes ``s`` of the regions, in output order.
        base_grid: if an int ``g``, the map is first pooled to ``g × g`` and
            every scale is pooled from that grid (the authors' code, with
            ``g = 4``); ``None`` pools every scale directly from the map.
        dtype: dtype of the returned matrix.
        device: device of the returned matrix.
    """
    blocks: List[Tensor] = []
    for s in scales:
        rows = adaptive_pool_matrix(height,
                                    s if base_grid is None else base_grid)
        cols = adaptive_pool_matrix(width,
                                    s if base_grid is None else base_grid)
        if base_grid is not None:
            rows = adaptive_pool_matrix(base_grid, s) @ rows
            cols = adaptive_pool_matrix(base_grid, s) @ cols
        # weight of pixel (h, w) in region (i, j) = rows[i, h] * cols[j, w]
        weights = torch.einsum('ih,jw->hwij', rows, cols)
        blocks.append(weights.reshape(height * width, s * s))
    return torch.cat(blocks, dim=1).to(dtype=dtype, device=device)


@TASK_UTILS.register_module(
    name=['MultiScaleLogits', 'MultiScaleLogitsRecorder'])
class MultiScaleLogitsRecorder(ModuleOutputsRecorder):
    """Record SDD's multi-scale region logits ``[B, K, N]``.

    Scale Decoupled Distillation (Wei et al., CVPR 2024, arXiv:2403.13512),
    ``docs/methods/sdd.md``. A forward hook on ``source`` takes its output,
    the final feature map ``F`` ``[B, C, H, W]`` (for a tuple or list
    output, its last element, as mmpretrain backbones return), pools it to
    every region of every scale and applies the model's own linear
    classifier ``fc``:

    ``z[:, :, n] = W · pool_n(F) + b``, ``N = Σ_s s²`` regions, ordered by
    scale as listed in ``scales`` and row-major within a scale, so with
    ``scales`` starting with 1 region 0 is the global region.

    All regions are computed at once: one matrix product of the flattened
    map with a cached pooling matrix ``[H·W, N]`` (see
    :func:`region_pool_matrix`), then the classifier as one
    :func:`torch.nn.functional.linear` — no loop over regions. The
    classifier's parameters are read at every forward, so gradients flow to
    the student's ``fc`` and backbone; the teacher runs under ``no_grad`` in
    mmrazor's ``SingleTeacherDistill``. Nothing is computed outside a
    recording context (e.g. in validation).

    In configs use ``type='MultiScaleLogits'`` inside ``student_recorders``
    / ``teacher_recorders`` (mmrazor's ``RecorderManager`` appends
    ``Recorder`` to the type; the class is registered in mmrazor's
    ``TASK_UTILS`` under both names). Read the record with ``data_idx=None``.

    Args:
        source: name (as in ``model.named_modules()``) of the module whose
            output is the final feature map before the global pooling, e.g.
            ``'backbone'`` for mmpretrain's ``ImageClassifier``.
        fc: name of the model's linear classifier; it must have a 2-D
            ``weight`` ``[K, C]`` and a ``bias`` ``[K]`` (or ``None``).
            Defaults to ``'head.fc'`` (mmpretrain's ``LinearClsHead``).
        scales: grid sizes ``s`` of the regions (positive integers, any
            order; duplicates are allowed). Defaults to ``(1, 2, 4)``
            (21 regions); homogeneous teacher/student pairs use ``(1, 2)``.
            :class:`SDDLoss` treats region 0 as the global region, so keep
            ``1`` first.
        base_grid: if an int ``g`` (default 4, as in the authors' code), the
            map is first pooled to a ``g × g`` grid and every scale is
            pooled from it. On a 7×7 map the 4×4 windows overlap, so region
            0 is then not the plain mean of the map; on maps smaller than
            ``g`` adaptive pooling repeats cells. ``None`` pools every scale
            straight from the map (region 0 then equals the model's logits
            when the head is global average pooling + ``fc``).

    Raises:
        ValueError: bad ``scales`` / ``base_grid`` (at construction), a
            ``source`` or ``fc`` missing from the model or an ``fc`` without a
            2-D weight (at ``initialize``), a source output that is not a
            4-D map or whose channels do not match the classifier (at the
            first forward).
    """

    def __init__(self,
                 source: str,
                 fc: str = 'head.fc',
                 scales: Sequence[int] = (1, 2, 4),
                 base_grid: Optional[int] = 4) -> None:
        super().__init__(source)
        if not isinstance(source, str) or not source:
            raise ValueError('MultiScaleLogitsRecorder: source must be the '
                             'non-empty name of a module, got '
                             f'{source!r}')
        if not isinstance(fc, str) or not fc:
            raise ValueError('MultiScaleLogitsRecorder: fc must be the '
                             f'non-empty name of a module, got {fc!r}')
        if isinstance(scales, (str, bytes)) or not isinstance(
                scales, Sequence) or len(scales) == 0:
            raise ValueError('MultiScaleLogitsRecorder: scales must be a '
                             'non-empty sequence of positive integers, got '
                             f'{scales!r}')
        self.scales: Tuple[int, ...] = tuple(
            _check_size('every scale', s) for s in scales)
        self.base_grid: Optional[int] = (None if base_grid is None else
                                         _check_size('base_grid', base_grid))
        self.fc_name = fc
        self.num_regions = sum(s * s for s in self.scales)
        self._fc: Optional[nn.Module] = None
        self._pool_cache: Dict[Tuple, Tensor] = {}

    # ---------------------------------------------------------- set-up
    @staticmethod
    def _find(model: nn.Module, name: str, what: str) -> nn.Module:
        modules = dict(model.named_modules())
        if name not in modules:
            hint = [
                n for n in modules
                if n and (n.endswith(name.split('.')[-1]) or name in n)
            ][:8]
            raise ValueError(
                f'MultiScaleLogitsRecorder: {what} {name!r} is not a module '
                f'of {type(model).__name__}' +
                (f'; similar names: {hint}' if hint else
                 '; see model.named_modules() for the valid names'))
        return modules[name]

    def prepare_from_model(self, model: Optional[nn.Module] = None) -> None:
        """Find ``fc`` and register the forward hook on ``source``.

        Args:
            model: the model (student or teacher) to record from.
        """
        if model is None:
            raise ValueError('MultiScaleLogitsRecorder needs the model')
        fc = self._find(model, self.fc_name, 'fc')
        weight = getattr(fc, 'weight', None)
        if not isinstance(weight, Tensor) or weight.dim() != 2:
            raise ValueError(
                f'MultiScaleLogitsRecorder: fc {self.fc_name!r} '
                f'({type(fc).__name__}) must be a linear classifier with a '
                '2-D weight [num_classes, channels]')
        bias = getattr(fc, 'bias', None)
        if bias is not None and (not isinstance(bias, Tensor)
                                 or bias.shape != weight.shape[:1]):
            got = getattr(bias, 'shape', bias)
            raise ValueError(f'MultiScaleLogitsRecorder: fc {self.fc_name!r} '
                             f'has a bias of shape {got}, expected '
                             f'({weight.shape[0]},)')
        source = self._find(model, self.source, 'source')
        self._fc = fc
        source.register_forward_hook(self.forward_hook)

    # ------------------------------------------------------ computation
    def pool_matrix(self, height: int, width: int, dtype: torch.dtype,
                    device: torch.device) -> Tensor:
        """Cached :func:`region_pool_matrix` for a ``height × width`` map."""
        key = (height, width, dtype, device)
        mat = self._pool_cache.get(key)
        if mat is None:
            mat = region_pool_matrix(height, width, self.scales,
                                     self.base_grid, dtype, device)
            self._pool_cache[key] = mat
        return mat

    def region_logits(self, feature: Tensor) -> Tensor:
        """Region logits ``[B, K, N]`` of a feature map ``[B, C, H, W]``."""
        if self._fc is None:
            raise RuntimeError('MultiScaleLogitsRecorder is not initialized '
                               '(call initialize(model) first)')
        if isinstance(feature, (tuple, list)):
            if not feature:
                raise ValueError(f'MultiScaleLogitsRecorder: {self.source!r} '
                                 'returned an empty tuple')
            feature = feature[-1]
        if not isinstance(feature, Tensor) or feature.dim() != 4:
            shape = tuple(feature.shape) if isinstance(feature, Tensor) \
                else type(feature).__name__
            raise ValueError(
                f'MultiScaleLogitsRecorder: the output of {self.source!r} '
                f'must be a feature map [B, C, H, W], got {shape}; source '
                'must be the module right before the global pooling')
        weight, bias = self._fc.weight, self._fc.bias
        if feature.shape[1] != weight.shape[1]:
            raise ValueError(
                f'MultiScaleLogitsRecorder: the feature map of '
                f'{self.source!r} has {feature.shape[1]} channels but the '
                f'classifier {self.fc_name!r} expects {weight.shape[1]} '
                f'(weight {tuple(weight.shape)}); do source and fc belong to '
                'the same model, and is source the last stage?')
        b, c, h, w = feature.shape
        pool = self.pool_matrix(h, w, feature.dtype, feature.device)
        pooled = torch.matmul(feature.reshape(b, c, h * w), pool)  # [B,C,N]
        logits = F.linear(pooled.transpose(1, 2), weight, bias)  # [B,N,K]
        return logits.transpose(1, 2)

    def forward_hook(self, module: nn.Module, inputs: Tuple,
                     outputs: Any) -> None:
        """Record the region logits of ``outputs`` while recording.

        Args:
            module: the hooked ``source`` module.
            inputs: its inputs (unused).
            outputs: its output, the feature map or a tuple ending with it.
        """
        if self.recording:
            self.data_buffer.append(self.region_logits(outputs))
