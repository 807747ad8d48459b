"""Run the real training code on generated data, in-process or as a tool.

Two ways, both through the package's real configs:

* :func:`build_and_train` — load a config, shrink it with an ``options``
  dict (see :func:`imagenet_tiny_options` and friends), and run mmengine's
  ``Runner`` in this process; returns the runner for inspection.
* :func:`run_tool` — run ``tools/<script>`` in a subprocess exactly as a user
  would, with ``--cfg-options`` built by :func:`options_to_cli`.
"""
import contextlib
import itertools
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Sequence

REPO_ROOT = Path(__file__).resolve().parents[2]
CONFIGS = REPO_ROOT / 'configs'
TOOLS = REPO_ROOT / 'tools'

__all__ = [
    'REPO_ROOT', 'CONFIGS', 'TOOLS', 'RANDOM_TEACHER', 'imagenet_tiny_options',
    'cifar_tiny_options', 'tiny_imagenet_tiny_options', 'imagenet_cli_options',
    'options_to_cli', 'build_and_train', 'run_tool', 'no_cifar_md5'
]

_counter = itertools.count()

_LOADERS = ('train_dataloader', 'val_dataloader', 'test_dataloader')


def _loader_options(data_root: Path, batch_size: int,
                    iters: Optional[int]) -> Dict[str, Any]:
    opts: Dict[str, Any] = {}
    for loader in _LOADERS:
        opts[f'{loader}.dataset.data_root'] = str(data_root)
        opts[f'{loader}.batch_size'] = batch_size
        opts[f'{loader}.num_workers'] = 0
        opts[f'{loader}.persistent_workers'] = False
    if iters is not None:
        # mmengine's BaseDataset keeps only the first `indices` samples
        opts['train_dataloader.dataset.indices'] = iters * batch_size
    return opts


#: the options that make a distillation config run without a teacher
#: checkpoint (a random teacher); drop them for plain (vanilla) configs
RANDOM_TEACHER = ('model.teacher_ckpt', 'model.distiller.allow_random_teacher')


def _common_options(max_epochs: int) -> Dict[str, Any]:
    return {
        'model.teacher_ckpt': None,
        'model.distiller.allow_random_teacher': True,
        'train_cfg.max_epochs': max_epochs,
        'default_hooks.logger.interval': 1,
        'randomness.seed': 0,
    }


def imagenet_tiny_options(data_root: Path,
                          image_size: int = 32,
                          batch_size: int = 2,
                          max_epochs: int = 1,
                          iters: Optional[int] = None) -> Dict[str, Any]:
    """Overrides that run an ImageNet config on :func:`make_imagenet` data.

    Images are loaded as the dataset configs load them
    (``CheckedLoadImageFromFile``) and cropped to ``image_size`` (32 gives
    ResNets a 1×1 final map, 64 a 2×2 one); ``iters`` limits the train set
    to ``iters`` batches; ``model.teacher_ckpt`` is cleared (random
    teacher).
    """
    opts = _common_options(max_epochs)
    opts.update(_loader_options(data_root, batch_size, iters))
    opts['train_dataloader.dataset.pipeline'] = [
        dict(type='CheckedLoadImageFromFile'),
        dict(type='RandomResizedCrop', scale=image_size),
        dict(type='RandomFlip', prob=0.5, direction='horizontal'),
        dict(type='PackInputs'),
    ]
    test_pipeline = [
        dict(type='CheckedLoadImageFromFile'),
        dict(type='ResizeEdge', scale=image_size, edge='short'),
        dict(type='CenterCrop', crop_size=image_size),
        dict(type='PackInputs'),
    ]
    opts['val_dataloader.dataset.pipeline'] = test_pipeline
    opts['test_dataloader.dataset.pipeline'] = test_pipeline
    return opts


def cifar_tiny_options(data_root: Path,
                       batch_size: int = 2,
                       max_epochs: int = 1,
                       iters: Optional[int] = None) -> Dict[str, Any]:
    """Overrides that run a CIFAR-100 config on :func:`make_cifar100` data.

    In-process runs must also disable mmpretrain's md5 check of the official
    files with :func:`no_cifar_md5`.
    """
    opts = _common_options(max_epochs)
    opts.update(_loader_options(data_root, batch_size, iters))
    for loader in _LOADERS:  # never try the network
        opts[f'{loader}.dataset.download'] = False
    return opts


def tiny_imagenet_tiny_options(data_root: Path,
                               batch_size: int = 2,
                               max_epochs: int = 1,
                               iters: Optional[int] = None) -> Dict[str, Any]:
    """Overrides that run a Tiny-ImageNet config on generated data."""
    opts = _common_options(max_epochs)
    opts.update(_loader_options(data_root, batch_size, iters))
    return opts


def tiny_options(dataset: str, data_root: Path, **kwargs) -> Dict[str, Any]:
    """The ``*_tiny_options`` of ``dataset`` (``'cifar100'``,
    ``'imagenet'`` with 32×32 crops, or ``'tiny_imagenet'``)."""
    if dataset == 'cifar100':
        return cifar_tiny_options(data_root, **kwargs)
    if dataset == 'imagenet':
        return imagenet_tiny_options(data_root, image_size=32, **kwargs)
    return tiny_imagenet_tiny_options(data_root, **kwargs)


def imagenet_cli_options(data_root: Path,
                         image_size: int = 32,
                         batch_size: int = 2,
                         max_epochs: int = 1,
                         iters: Optional[int] = None) -> List[str]:
    """:func:`imagenet_tiny_options` as ``--cfg-options`` strings.

    Lists cannot be passed on a command line, so the pipelines are shrunk
    by index (``pipeline.1.scale=...``) instead of being replaced.
    """
    opts = _common_options(max_epochs)
    opts.update(_loader_options(data_root, batch_size, iters))
    opts['train_dataloader.dataset.pipeline.1.scale'] = image_size
    for loader in ('val_dataloader', 'test_dataloader'):
        opts[f'{loader}.dataset.pipeline.1.scale'] = image_size
        opts[f'{loader}.dataset.pipeline.2.crop_size'] = image_size
    return options_to_cli(opts)


def options_to_cli(options: Dict[str, Any]) -> List[str]:
    """``{'a.b': 1, 'c': None}`` → ``['a.b=1', 'c=None']`` (scalars only)."""
    out = []
    for key, value in options.items():
        if isinstance(value, (list, tuple, dict)):
            raise ValueError(f'{key}: only scalar values can be passed on '
                             'the command line')
        out.append(f'{key}={value}')
    return out


def build_and_train(config_path: Any,
                    work_dir: Path,
                    options: Optional[Dict[str, Any]] = None,
                    iters: Optional[int] = None,
                    resume: bool = False,
                    skip_teacher_check: bool = False):
    """Run ``Runner.train()`` for ``config_path`` in this process.

    Args:
        config_path: a path, absolute or relative to ``configs/``.
        work_dir: the run's work dir.
        options: ``merge_from_dict`` overrides (e.g. from
            :func:`imagenet_tiny_options`).
        iters: if given, keep only ``iters`` batches of training data
            (one epoch = ``iters`` iterations).
        resume: resume from the latest checkpoint in ``work_dir``.
        skip_teacher_check: drop ``TeacherCheckHook`` (as
            ``tools/train.py --skip-teacher-check``).

    Returns:
        mmengine.runner.Runner: the runner after training.
    """
    from mmengine.config import Config
    from mmengine.runner import Runner

    import mmkd_logits  # noqa: F401
    from mmkd_logits.apis.launch import drop_hooks
    from mmkd_logits.compat import trust_directory

    path = Path(config_path)
    if not path.is_absolute():
        path = CONFIGS / path
    cfg = Config.fromfile(str(path))
    options = dict(options or {})
    if iters is not None:
        batch = options.get('train_dataloader.batch_size',
                            cfg.train_dataloader.batch_size)
        options['train_dataloader.dataset.indices'] = iters * batch
    cfg.merge_from_dict(options)
    cfg.work_dir = str(work_dir)
    cfg.launcher = 'none'
    cfg.resume = resume
    if resume:
        cfg.load_from = None
    cfg.experiment_name = f'{path.stem}_{os.getpid()}_{next(_counter)}'
    if skip_teacher_check:
        cfg.custom_hooks = drop_hooks(cfg.custom_hooks, 'TeacherCheckHook')
    trust_directory(str(work_dir))
    runner = Runner.from_cfg(cfg)
    runner.train()
    return runner


def run_tool(script: str,
             *args: Any,
             timeout: int = 600,
             env: Optional[Dict[str, str]] = None,
             cwd: Optional[Path] = None) -> subprocess.CompletedProcess:
    """Run ``tools/<script>`` as a user would; returns the finished process.

    ``.py`` scripts run with this interpreter; ``.sh`` scripts with bash.
    stdout and stderr are captured (merged) in ``.stdout``.
    """
    full_env = dict(os.environ)
    full_env.setdefault('OMP_NUM_THREADS', '1')
    full_env.update(env or {})
    tool = TOOLS / script
    cmd: Sequence[str]
    if script.endswith('.sh'):
        cmd = ['bash', str(tool), *map(str, args)]
        # torchrun must find this interpreter's torch
        full_env['PATH'] = str(Path(sys.executable).parent) + os.pathsep + \
            full_env.get('PATH', '')
    else:
        cmd = [sys.executable, str(tool), *map(str, args)]
    return subprocess.run(
        cmd,
        cwd=str(cwd or REPO_ROOT),
        env=full_env,
        timeout=timeout,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True)


@contextlib.contextmanager
def no_cifar_md5() -> Iterator[None]:
    """Let mmpretrain's ``CIFAR100`` read generated files.

    Only the md5 sums of the official archive's files are dropped; the real
    pickle loading, integrity and metadata code still runs.
    """
    from mmpretrain.datasets import CIFAR100
    saved = (CIFAR100.train_list, CIFAR100.test_list, CIFAR100.meta)
    CIFAR100.train_list = [[name, None] for name, _ in saved[0]]
    CIFAR100.test_list = [[name, None] for name, _ in saved[1]]
    CIFAR100.meta = dict(saved[2], md5=None)
    try:
        yield
    finally:
        CIFAR100.train_list, CIFAR100.test_list, CIFAR100.meta = saved
