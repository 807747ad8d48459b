"""Catch a teacher that loads but is useless, before it teaches."""
import os.path as osp
import pickle
import random
from typing import Optional

import numpy as np
import torch
from mmengine.dist import all_reduce
from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmengine.model import is_model_wrapper
from mmrazor.registry import HOOKS

__all__ = ['TeacherCheckError', 'TeacherCheckHook']


class TeacherCheckError(RuntimeError):
    """The teacher is near chance on the training data."""


@HOOKS.register_module()
class TeacherCheckHook(Hook):
    """Measure the teacher's top-1 on the first training batches; stop the
    run before the first step if the teacher is useless.

    A teacher checkpoint that loads strictly can still be useless: trained
    with another normalization (e.g. the CRD / mdistiller CIFAR constants vs
    mmpretrain's), another class order or another dataset. It then teaches
    noise for the whole run. Before the first step this hook runs the
    teacher (eval mode, no gradient) on ``num_batches`` training batches,
    logs its top-1, and raises :class:`TeacherCheckError` if it is below
    ``chance_factor`` × chance (``100 / num_classes`` %), or below
    ``recorded_fraction`` × the accuracy recorded in the teacher
    checkpoint's metadata when there is one (mdistiller's ``accuracy`` /
    ``best_acc``, as kept by ``tools/convert_mdistiller_ckpt.py``, or
    mmengine's ``best_score``). The random-number state is restored after
    the check, so training draws the same numbers with and without it.
    Under DDP the counts are summed over the processes.

    Runs only for distillation models with a ``teacher_ckpt``; to go on
    anyway, remove the hook from ``custom_hooks`` (``tools/train.py
    --skip-teacher-check``).

    Args:
        num_batches: training batches to measure on. Defaults to 4.
        chance_factor: minimum top-1 as a multiple of chance. Defaults to 2.
        recorded_fraction: minimum top-1 as a fraction of the recorded
            accuracy. Defaults to 0.5.
    """

    priority = 'LOW'

    def __init__(self,
                 num_batches: int = 4,
                 chance_factor: float = 2.0,
                 recorded_fraction: float = 0.5) -> None:
        self.num_batches = num_batches
        self.chance_factor = chance_factor
        self.recorded_fraction = recorded_fraction

    def before_train(self, runner) -> None:
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        teacher = getattr(model, 'teacher', None)
        ckpt = (runner.cfg.get('model', None) or {}).get('teacher_ckpt')
        head = getattr(getattr(model, 'student', None), 'head', None)
        classes = getattr(head, 'num_classes', None)
        if teacher is None or not ckpt or not classes:
            return
        top1 = self.teacher_top1(model, runner.train_dataloader)
        chance = 100.0 / classes
        recorded = _recorded_accuracy(ckpt)
        print_log(
            f'TeacherCheckHook: teacher top-1 on the first '
            f'{self.num_batches} training batches: {top1:.2f}% (chance '
            f'{chance:.2f}%' +
            (f', recorded in its checkpoint {recorded:.2f}%)'
             if recorded else ')'),
            logger='current')
        low = top1 < self.chance_factor * chance
        if recorded:
            low = low or top1 < self.recorded_fraction * recorded
        if low:
            raise TeacherCheckError(
                f'the teacher ({ckpt}) gets {top1:.2f}% of the first '
                f'{self.num_batches} training batches right (chance: '
                f'{chance:.2f}%' + (f'; its checkpoint records {recorded:.2f}%'
                                    if recorded else '') +
                '): it would teach noise. Likely causes: the data '
                "normalization (data_preprocessor mean/std) is not the one "
                'the teacher was trained with; the class order of the '
                'dataset differs from the teacher\'s; the checkpoint is of '
                'another dataset or model. To go on anyway: tools/train.py '
                '--skip-teacher-check (or remove TeacherCheckHook from '
                'custom_hooks).')

    @torch.no_grad()
    def teacher_top1(self, model, dataloader) -> float:
        """Top-1 (%) of ``model.teacher`` on the first batches."""
        states = (torch.random.get_rng_state(), np.random.get_state(),
                  random.getstate())
        teacher = model.teacher
        was_training = teacher.training
        teacher.eval()
        correct = torch.zeros(2, dtype=torch.float64)
        try:
            for i, batch in enumerate(dataloader):
                if i >= self.num_batches:
                    break
                data = model.data_preprocessor(batch, False)
                logits = teacher(data['inputs'], mode='tensor')
                labels = torch.cat([s.gt_label for s in data['data_samples']
                                    ]).to(logits.device)
                correct += torch.tensor([
                    float((logits.argmax(-1) == labels).sum()),
                    float(labels.numel())
                ],
                                        dtype=torch.float64)
        finally:
            teacher.train(was_training)
            torch.random.set_rng_state(states[0])
            np.random.set_state(states[1])
            random.setstate(states[2])
        all_reduce(correct)
        return float(100.0 * correct[0] / max(float(correct[1]), 1.0))


def _recorded_accuracy(ckpt: str) -> Optional[float]:
    """The top-1 (%) a local teacher checkpoint records, if any."""
    if not isinstance(ckpt, str) or not osp.isfile(ckpt):
        return None
    try:  # a file that needs full unpickling records nothing we can read
        checkpoint = _load_meta_only(ckpt)
    except (pickle.UnpicklingError, RuntimeError):
        return None
    meta = checkpoint.get('meta', {}) if isinstance(checkpoint, dict) else {}
    source = meta.get('source', {}) if isinstance(meta, dict) else {}
    for key in ('best_acc', 'accuracy'):
        if isinstance(source, dict) and isinstance(
                source.get(key), (int, float)):
            return float(source[key])
    hub = checkpoint.get('message_hub', {}) if isinstance(checkpoint,
                                                          dict) else {}
    info = hub.get('runtime_info', {}) if isinstance(hub, dict) else {}
    best = info.get('best_score') if isinstance(info, dict) else None
    return float(best) if isinstance(best, (int, float)) else None


def _load_meta_only(ckpt: str):
    """The checkpoint with its tensors memory-mapped, not read: only the
    metadata is looked at (legacy, non-zip files are read whole)."""
    try:
        return torch.load(
            ckpt, map_location='cpu', weights_only=True, mmap=True)
    except RuntimeError as err:
        if 'mmap' not in str(err):
            raise
        return torch.load(ckpt, map_location='cpu', weights_only=True)
