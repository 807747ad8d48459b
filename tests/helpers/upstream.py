"""Run the upstream packages' own tools (``<pkg>/.mim/tools/*.py``, as
``mim train <pkg>`` runs them) in a subprocess, as another project would.

Nothing here imports mmkd_logits: a config that needs the plugin must
import it itself.
"""
import os
import subprocess
import sys
from importlib.util import find_spec
from pathlib import Path
from typing import Any, Dict, Optional

__all__ = ['mim_tool', 'run_python', 'OTHER_PROJECT_CONFIG']


def mim_tool(package: str, tool: str = 'train.py') -> Path:
    """``<package>/.mim/tools/<tool>`` of the installed ``package`` (found
    without importing it)."""
    spec = find_spec(package)
    if spec is None or spec.origin is None:
        raise FileNotFoundError(f'{package} is not installed')
    path = Path(spec.origin).parent / '.mim' / 'tools' / tool
    if not path.is_file():
        raise FileNotFoundError(f'{package} ships no {path}')
    return path


def run_python(*args: Any,
               cwd: Path,
               timeout: int = 600,
               env: Optional[Dict[str, str]] = None,
               python: str = sys.executable) -> subprocess.CompletedProcess:
    """``python ARGS...`` in ``cwd``; stdout and stderr merged in
    ``.stdout``."""
    full_env = dict(os.environ)
    full_env.setdefault('OMP_NUM_THREADS', '1')
    full_env.update(env or {})
    return subprocess.run([python, *map(str, args)],
                          cwd=str(cwd),
                          env=full_env,
                          timeout=timeout,
                          stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT,
                          text=True)


#: An old-style mmpretrain config of "another project" that distils with a
#: loss of the plugin (imported through custom_imports) with mmrazor's own
#: distiller, and mmpretrain's own runtime (no hook of the plugin): its
#: checkpoints hold mmengine's pickled log buffers. Format it with
#: ``data_root``.
OTHER_PROJECT_CONFIG = '''
_base_ = [
    'mmpretrain::_base_/datasets/imagenet_bs32.py',
    'mmpretrain::_base_/schedules/imagenet_bs256.py',
    'mmpretrain::_base_/default_runtime.py',
]
custom_imports = dict(imports=['mmkd_logits'], allow_failed_imports=False)
model = dict(
    _scope_='mmrazor',
    type='SingleTeacherDistill',
    data_preprocessor=dict(
        type='ImgDataPreprocessor', mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375], bgr_to_rgb=True),
    architecture=dict(cfg_path='mmpretrain::resnet/resnet18_8xb32_in1k.py',
                      pretrained=False),
    teacher=dict(cfg_path='mmpretrain::resnet/resnet18_8xb32_in1k.py',
                 pretrained=False),
    distiller=dict(
        type='ConfigurableDistiller',
        student_recorders=dict(fc=dict(type='ModuleOutputs',
                                       source='head.fc')),
        teacher_recorders=dict(fc=dict(type='ModuleOutputs',
                                       source='head.fc')),
        distill_losses=dict(loss_ldrld=dict(type='LDRLDLoss', tau=1.0)),
        loss_forward_mappings=dict(loss_ldrld=dict(
            preds_S=dict(from_student=True, recorder='fc'),
            preds_T=dict(from_student=False, recorder='fc')))))
val_cfg = dict(_delete_=True, type='mmrazor.SingleTeacherDistillValLoop')
train_cfg = dict(max_epochs=2, val_interval=100)
default_hooks = dict(logger=dict(interval=1))
_loader = dict(batch_size=2, num_workers=0, persistent_workers=False)
train_dataloader = dict(
    _loader, dataset=dict(
        data_root='{data_root}', ann_file='meta/train.txt',
        data_prefix='train', indices=4,
        pipeline=[dict(type='LoadImageFromFile'),
                  dict(type='Resize', scale=32),
                  dict(type='PackInputs')]))
val_dataloader = dict(
    _loader, dataset=dict(
        data_root='{data_root}', ann_file='meta/val.txt', data_prefix='val',
        pipeline=[dict(type='LoadImageFromFile'),
                  dict(type='Resize', scale=32),
                  dict(type='PackInputs')]))
'''
