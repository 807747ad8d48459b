"""What the analysis tools share.

Loading a (distillation) model from a config and a checkpoint with the
package's checkpoint rules, a validation subset, batches of teacher and
student logits, and writing figures (Agg backend, PNG/SVG) and JSON.
"""
import argparse
import copy
import json
import math
import os
import os.path as osp
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple

from ..cli import (HelpFormatter, add_cfg_options_argument, add_trust_argument,
                   load_config)
from ..evaluate import teacher_from_checkpoint

__all__ = [
    'FIGURE_FORMATS', 'use_agg', 'checkpoint_parser', 'loader_args',
    'load_config', 'model_and_loader', 'build_model', 'is_distill',
    'classifiers', 'build_loader', 'iterate_batches', 'labels_of',
    'save_figure', 'save_json', 'finite', 'finish'
]

FIGURE_FORMATS = ('png', 'svg')


def use_agg():
    """Select matplotlib's non-interactive Agg backend; return pyplot."""
    import matplotlib
    matplotlib.use('Agg', force=True)
    import matplotlib.pyplot as plt
    return plt


def checkpoint_parser(description: str,
                      default_out: str) -> argparse.ArgumentParser:
    """The parser of a tool that analyses a config and a checkpoint: their
    paths, ``--out-dir``, the validation subset, ``--device``,
    ``--formats``, ``--trust-checkpoint`` and ``--cfg-options``."""
    parser = argparse.ArgumentParser(
        description=description, formatter_class=HelpFormatter)
    parser.add_argument('config', help='distillation (or model) config')
    parser.add_argument('checkpoint', help='checkpoint written by training')
    parser.add_argument(
        '--out-dir',
        default=default_out,
        help=f'output folder (default: {default_out})')
    parser.add_argument(
        '--num-samples',
        type=int,
        default=256,
        help='size of the validation subset (the first N '
        'samples; default 256)')
    parser.add_argument(
        '--batch-size',
        type=int,
        default=32,
        help='batch size of the analysis (default 32)')
    parser.add_argument(
        '--split',
        choices=['val', 'test'],
        default='val',
        help='which dataloader of the config to read')
    parser.add_argument(
        '--device', default='cpu', help='torch device, e.g. cpu or cuda:0')
    parser.add_argument(
        '--formats',
        nargs='+',
        choices=FIGURE_FORMATS,
        default=['png'],
        help='figure formats (png, svg)')
    add_trust_argument(parser)
    add_cfg_options_argument(parser)
    return parser


def loader_args(args: argparse.Namespace) -> Dict[str, Any]:
    """The options of :func:`checkpoint_parser` that
    :func:`model_and_loader` takes (``cfg_options``, ``split``,
    ``num_samples``, ``batch_size``, ``device``), as keyword arguments."""
    return {
        key: getattr(args, key)
        for key in ('cfg_options', 'split', 'num_samples', 'batch_size',
                    'device')
    }


def is_distill(model) -> bool:
    """Whether ``model`` has a teacher and a student (mmrazor distillation)."""
    return hasattr(model, 'teacher') and hasattr(model, 'architecture')


def build_model(cfg, checkpoint: str, device: str = 'cpu'):
    """Build ``cfg.model`` and load ``checkpoint`` strictly, in eval mode.

    The teacher's weights come from the checkpoint (``teacher_ckpt`` is not
    loaded); a top-level ``data_preprocessor`` applies as in the runner.
    Loading follows the package's rules: weights-only unless the file is
    trusted (``--trust-checkpoint``, ``MMKD_TRUST_CHECKPOINTS=1``).
    """
    import torch
    from mmengine.registry import MODELS, init_default_scope
    from mmengine.runner import load_checkpoint
    init_default_scope(cfg.get('default_scope', 'mmpretrain'))
    model_cfg = teacher_from_checkpoint(copy.deepcopy(cfg.model))
    if cfg.get('data_preprocessor') is not None:  # as mmengine's runner
        model_cfg.setdefault('data_preprocessor', cfg.data_preprocessor)
    model = MODELS.build(model_cfg)
    load_checkpoint(
        model, checkpoint, map_location='cpu', strict=True, logger='silent')
    model.to(torch.device(device))
    model.eval()  # (mmrazor's ``train()`` returns None: no chaining)
    return model


def classifiers(model) -> Dict[str, Any]:
    """``{'teacher': ..., 'student': ...}`` of a distillation model, or
    ``{'model': model}`` of a plain classifier."""
    if is_distill(model):
        return {'teacher': model.teacher, 'student': model.architecture}
    return {'model': model}


def build_loader(cfg,
                 split: str = 'val',
                 num_samples: Optional[int] = None,
                 batch_size: int = 32):
    """The config's ``{split}_dataloader`` on its first ``num_samples``
    samples, in order, without worker processes."""
    import copy

    from mmengine.registry import init_default_scope
    from mmengine.runner import Runner
    init_default_scope(cfg.get('default_scope', 'mmpretrain'))
    loader_cfg = copy.deepcopy(cfg.get(f'{split}_dataloader'))
    if not loader_cfg:
        raise ValueError(f'the config has no {split}_dataloader')
    loader_cfg['batch_size'] = batch_size
    loader_cfg['num_workers'] = 0
    loader_cfg['persistent_workers'] = False
    loader_cfg['sampler'] = dict(type='DefaultSampler', shuffle=False)
    if num_samples is not None:
        if num_samples < 1:
            raise ValueError(f'num_samples must be >= 1, got {num_samples}')
        loader_cfg['dataset']['indices'] = num_samples
    return Runner.build_dataloader(loader_cfg)


def model_and_loader(config: str,
                     checkpoint: str,
                     cfg_options: Optional[Dict] = None,
                     split: str = 'val',
                     num_samples: Optional[int] = 256,
                     batch_size: int = 32,
                     device: str = 'cpu') -> Tuple[Any, Any, Any]:
    """``(cfg, model, loader)``: the config with its options, the model with
    the checkpoint's weights (:func:`build_model`) and the first
    ``num_samples`` of its ``{split}_dataloader`` (:func:`build_loader`)."""
    cfg = load_config(config, cfg_options)
    model = build_model(cfg, checkpoint, device)
    return cfg, model, build_loader(cfg, split, num_samples, batch_size)


def labels_of(data_samples: Sequence[Any]) -> Optional[Any]:
    """The single-label ``gt_label`` of every sample as a ``LongTensor``."""
    import torch
    labels = [getattr(s, 'gt_label', None) for s in data_samples]
    if not labels or any(x is None or x.numel() != 1 for x in labels):
        return None
    return torch.cat([x.reshape(1) for x in labels]).long()


def iterate_batches(model, loader) -> Iterator[Tuple[Any, Any]]:
    """Preprocessed ``(inputs, data_samples)`` of every batch."""
    import torch
    with torch.no_grad():
        for data in loader:
            data = model.data_preprocessor(data, False)
            yield data['inputs'], data['data_samples']


def finite(value: Any) -> Any:
    """JSON-safe numbers: NaN/inf become ``None`` (nested lists too)."""
    if isinstance(value, (list, tuple)):
        return [finite(v) for v in value]
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def save_json(data: Dict[str, Any], path: str) -> str:
    """Write ``data`` as indented JSON (NaN/inf as null); return the path."""
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    with open(path, 'w') as f:
        json.dump(finite(data), f, indent=2, allow_nan=False)
    return path


def finish(numbers: Dict[str, Any], files: List[str],
           stem: str) -> Dict[str, Any]:
    """Write ``numbers`` to ``stem.json``, print every written file and
    return the numbers with the list of ``files`` (each tool's last step)."""
    files = files + [save_json(numbers, stem + '.json')]
    for path in files:
        print(path)
    return dict(numbers, files=files)


def save_figure(fig, stem: str, formats: Sequence[str]) -> List[str]:
    """Save ``fig`` as ``stem.<fmt>`` for every format; return the paths."""
    os.makedirs(osp.dirname(osp.abspath(stem)), exist_ok=True)
    paths = []
    for fmt in formats:
        if fmt not in FIGURE_FORMATS:
            raise ValueError(f'figure format must be one of {FIGURE_FORMATS}'
                             f', got {fmt!r}')
        path = f'{stem}.{fmt}'
        fig.savefig(path, format=fmt, bbox_inches='tight', dpi=120)
        paths.append(path)
    import matplotlib.pyplot as plt
    plt.close(fig)
    return paths
