"""Tiny real distillation runs, trained once per test session and shared.

Several tests (student export and the analysis tools) need a checkpoint
written by the real training code for a real config. Training one costs
seconds, so each run is done once per session and cached here:
:func:`distill_run` returns the same run to every caller.
"""
from pathlib import Path
from typing import Any, Dict

from .datasets import make_imagenet
from .training import build_and_train, imagenet_tiny_options

__all__ = ['RUNS', 'distill_run']

#: name → (config under configs/, image size: 32 gives ResNets a 1×1 final
#: map, 64 a 2×2 one — SDD regions need more than one cell)
RUNS = {
    'ldrld': ('ldrld_r34_r18_imagenet.py', 32),
    'aekt': ('aekt_r34_r18_imagenet.py', 32),
    'sdd': ('sdd_dkd_r34_r18_imagenet.py', 64),
}

_cache: Dict[str, Dict[str, Any]] = {}


def distill_run(name: str, base: Path) -> Dict[str, Any]:
    """Train ``RUNS[name]`` for one iteration (batch 2) on generated
    ImageNet-format data, once per session.

    Args:
        name: a key of :data:`RUNS`.
        base: a session-wide temporary folder (e.g.
            ``tmp_path_factory.getbasetemp()``); used on the first call.

    Returns:
        dict: ``config`` (the config the runner dumped into its work dir, as
        trained), ``checkpoint`` (``epoch_1.pth``), ``work_dir``, ``data``
        (the data root), ``image_size`` and ``scalars`` (the message hub's
        current values after training, ``{key: float}``).
    """
    if name in _cache:
        return _cache[name]
    import mmkd_logits  # noqa: F401
    config, size = RUNS[name]
    base = Path(base) / 'distill_runs'
    data = base / 'imagenet'
    if not (data / 'meta' / 'val.txt').exists():
        make_imagenet(data, num_classes=4, per_class=2, val_per_class=2)
    work = base / name
    options = imagenet_tiny_options(
        data, image_size=size, batch_size=2, iters=1)
    # no validation (mmengine validates after the last epoch unless the
    # first validation epoch is later): one checkpoint is written, not two
    options['train_cfg.val_begin'] = 2
    runner = build_and_train(config, work, options)
    scalars = {
        key: float(buf.current())
        for key, buf in runner.message_hub.log_scalars.items()
    }
    run = dict(
        config=work / config,
        checkpoint=work / 'epoch_1.pth',
        work_dir=work,
        data=data,
        image_size=size,
        scalars=scalars)
    del runner
    _cache[name] = run
    return run
