"""What ``tools/train.py`` and ``tools/test.py`` do around mmengine's Runner:
CPU multi-process training, and the learning-rate scale warning."""
import os
import subprocess
from typing import List, Optional

import torch
import torch.distributed as dist
from mmengine.config import Config

__all__ = ['setup_cpu_distributed', 'lr_scale_warning', 'drop_hooks']


def setup_cpu_distributed(cfg: Config) -> None:
    """Let mmengine's runner train with several CPU processes (gloo).

    mmengine's ``pytorch`` launcher always calls ``torch.cuda.set_device``
    and its DDP wrapper always passes ``device_ids=[LOCAL_RANK]``; both fail
    without a GPU. The runner skips its own initialisation when a process
    group exists, so one is created here with the gloo backend, and DDP gets
    ``device_ids=None``. A no-op with a GPU or without a launcher.
    """
    if cfg.launcher == 'none' or torch.cuda.is_available():
        return
    if not dist.is_initialized():
        if cfg.launcher == 'slurm':
            _slurm_env_to_torch_env()
        dist.init_process_group(backend='gloo')
    wrapper = cfg.get('model_wrapper_cfg', None) or dict(
        type='MMDistributedDataParallel',
        broadcast_buffers=False,
        find_unused_parameters=cfg.get('find_unused_parameters', False))
    wrapper['device_ids'] = None
    cfg.model_wrapper_cfg = wrapper
    cfg.env_cfg.setdefault('dist_cfg', {})['backend'] = 'gloo'


def _slurm_env_to_torch_env() -> None:
    """Translate SLURM variables into the ones ``init_process_group`` reads."""
    os.environ.setdefault('RANK', os.environ['SLURM_PROCID'])
    os.environ.setdefault('WORLD_SIZE', os.environ['SLURM_NTASKS'])
    os.environ.setdefault('LOCAL_RANK', os.environ.get('SLURM_LOCALID', '0'))
    os.environ.setdefault('MASTER_PORT', os.environ.get('PORT', '29500'))
    if 'MASTER_ADDR' not in os.environ:
        node_list = os.environ['SLURM_NODELIST']
        os.environ['MASTER_ADDR'] = subprocess.getoutput(
            f'scontrol show hostname {node_list} | head -n1')


def lr_scale_warning(cfg: Config, world_size: int) -> Optional[str]:
    """A warning when the total batch differs from the config's base batch.

    The configs' learning rates are set for ``auto_scale_lr.base_batch_size``
    images per step (e.g. 8 GPUs x 64 = 512 on ImageNet). Trained with
    another total batch and without ``--auto-scale-lr``, the lr is off by the
    ratio; mmengine says nothing.

    Returns:
        str or None: the warning, or None when the batch matches, the
        config has no ``auto_scale_lr`` or it is enabled.
    """
    scale = cfg.get('auto_scale_lr', None) or {}
    base = scale.get('base_batch_size', None)
    loader = cfg.get('train_dataloader', None) or {}
    per_gpu = loader.get('batch_size', None)
    if not base or not per_gpu or scale.get('enable', False):
        return None
    total = int(per_gpu) * int(world_size)
    if total == base:
        return None
    lr = cfg.get('optim_wrapper', {}).get('optimizer', {}).get('lr', None)
    return (f'the learning rate{f" {lr}" if lr is not None else ""} of this '
            f'config is set for a total batch of {base} images, but this run '
            f'uses {world_size} process(es) x {per_gpu} = {total}: the lr is '
            f'{base / total:g} times what the recipe means per image. Add '
            '--auto-scale-lr to scale it linearly (lr x '
            f'{total / base:g}), or train on {base // int(per_gpu)} GPUs.')


def drop_hooks(hooks: List[dict], name: str) -> List[dict]:
    """``hooks`` (a ``custom_hooks`` list) without the hooks of type
    ``name``, given as a class or a (scoped) registry name."""
    return [
        h for h in hooks or [] if getattr(h['type'], '__name__', str(
            h['type'])).split('.')[-1] != name
    ]
