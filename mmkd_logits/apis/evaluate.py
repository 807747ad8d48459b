"""Evaluate a checkpoint with its config, as ``tools/test.py`` does.

With a distillation config, mmrazor's test step runs the *student*
(``architecture``); the teacher's weights come from the checkpoint, so
``teacher_ckpt`` is not loaded again. The checkpoint is loaded strictly:
keys that do not fit the model are an error, never a silently random
network.
"""
import json
import os.path as osp
from typing import Any, Dict, Mapping, Optional

__all__ = ['teacher_from_checkpoint', 'evaluation_config', 'evaluate']


def teacher_from_checkpoint(model_cfg: Any) -> Any:
    """A distillation model config whose teacher gets its weights from the
    checkpoint that is loaded next (``teacher_ckpt`` unset and, for the
    package's ``LogitDistiller``, ``allow_random_teacher``); a plain model
    config is returned unchanged. Modifies and returns ``model_cfg``."""
    if 'teacher_ckpt' not in model_cfg:
        return model_cfg
    model_cfg['teacher_ckpt'] = None
    distiller = model_cfg.get('distiller', None)
    if distiller is not None:
        from mmrazor.registry import MODELS

        from ..models.distillers import LogitDistiller
        dist_type = distiller.get('type')
        cls = dist_type if isinstance(dist_type, type) else None
        if isinstance(dist_type, str):
            try:
                cls = MODELS.get(dist_type)
            except Exception:  # an unknown type fails when it is built
                cls = None
        if isinstance(cls, type) and issubclass(cls, LogitDistiller):
            distiller['allow_random_teacher'] = True
    return model_cfg


def evaluation_config(config: str,
                      work_dir: Optional[str] = None,
                      cfg_options: Optional[Mapping[str, Any]] = None,
                      launcher: str = 'none') -> Any:
    """The config of a test run: options merged, ``work_dir`` set (default
    ``./work_dirs/<config name>``), the teacher from the checkpoint and no
    ``load_from``."""
    from .cli import load_config
    cfg = load_config(config, cfg_options)
    cfg.launcher = launcher
    if work_dir is not None:
        cfg.work_dir = work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(config))[0])
    teacher_from_checkpoint(cfg.model)
    cfg.load_from = None
    return cfg


def evaluate(config: str,
             checkpoint: str,
             work_dir: Optional[str] = None,
             cfg_options: Optional[Mapping[str, Any]] = None,
             launcher: str = 'none',
             out: Optional[str] = None) -> Dict[str, float]:
    """Test ``checkpoint`` with the test loop of ``config``.

    Args:
        config: a distillation or plain config file.
        checkpoint: loaded strictly, weights-only unless trusted
            (``--trust-checkpoint``).
        work_dir: the run's log folder.
        cfg_options: overrides merged into the config.
        launcher: ``'none'``, ``'pytorch'``, ``'slurm'`` or ``'mpi'``.
        out: write the metrics to this JSON file.

    Returns:
        dict: the metrics (e.g. ``accuracy/top1``).
    """
    from mmengine.runner import Runner

    from .launch import setup_cpu_distributed
    cfg = evaluation_config(config, work_dir, cfg_options, launcher)
    setup_cpu_distributed(cfg)
    runner = Runner.from_cfg(cfg)
    runner.load_checkpoint(checkpoint, map_location='cpu', strict=True)
    metrics = {k: float(v) for k, v in runner.test().items()}
    if out:
        with open(out, 'w') as f:
            json.dump(metrics, f, indent=2)
    return metrics
