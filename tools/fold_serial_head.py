"""Fold an AEKT student's ``SerialClsHead`` into a plain ``LinearClsHead``.

The serialization layer ``ser`` follows the classifier ``fc``, both linear, so
``ser(fc(x)) = W_ser (W_fc x + b_fc) + b_ser`` is one linear layer::

    W = W_ser · W_fc,    b = W_ser · b_fc + b_ser

(computed in float64, stored in the checkpoint's dtype). The folded
student's logits equal the unfolded model's classification logits, and it is
a plain mmpretrain model: ``ImageClassificationInferencer`` and
``tools/test.py`` use it without this plugin's head.

Input: a student checkpoint (keys ``backbone.*``, ``neck.*``, ``head.fc.*``,
``head.ser.*``) or a distillation checkpoint (student keys prefixed
``architecture.``; ``teacher.*`` and distiller keys are dropped). Output: an
mmengine checkpoint ``{'state_dict': ..., 'meta': {...}}`` holding only
tensors and plain Python types (loadable with ``torch.load(...,
weights_only=True)``), written atomically.

Usage::

    python tools/fold_serial_head.py work_dirs/aekt/epoch_100.pth \\
        student_folded.pth --config configs/aekt_r34_r18_imagenet.py \\
        --out-config student_folded.py
"""
import argparse
import copy
import os.path as osp
import sys
from collections import OrderedDict
from typing import Any, Dict, Mapping, Optional, Sequence

import torch
from torch import Tensor

__all__ = [
    'extract_student_state_dict', 'fold_state_dict', 'plain_meta',
    'student_config', 'fold_checkpoint', 'write_checkpoint', 'parse_args',
    'main'
]

STUDENT_PREFIX = 'architecture.'
#: prefixes of a distillation checkpoint that are not the student
NON_STUDENT_PREFIXES = ('teacher.', 'distiller.')


def extract_student_state_dict(state_dict: Mapping[str, Any],
                               head: str = 'head') -> 'OrderedDict[str, Any]':
    """Return the student's state dict from a student or distillation one.

    Args:
        state_dict: the checkpoint's ``state_dict``.
        head: name of the student's head module. Defaults to ``'head'``.

    Returns:
        OrderedDict: the student's keys (``architecture.`` prefix removed when
        the input is a distillation checkpoint).

    Raises:
        ValueError: if the state dict holds a teacher but no student, or has
            no ``{head}.fc`` / ``{head}.ser`` weights.
    """
    keys = list(state_dict.keys())
    if any(k.startswith(STUDENT_PREFIX) for k in keys):
        out = OrderedDict((k[len(STUDENT_PREFIX):], v)
                          for k, v in state_dict.items()
                          if k.startswith(STUDENT_PREFIX))
    else:
        if any(k.startswith(NON_STUDENT_PREFIXES) for k in keys):
            raise ValueError(
                'the checkpoint has teacher/distiller weights but no student '
                f'weights (no key starts with {STUDENT_PREFIX!r})')
        out = OrderedDict(state_dict.items())
    for name in ('fc.weight', 'ser.weight'):
        if f'{head}.{name}' not in out:
            found = sorted(k for k in out if k.startswith(f'{head}.'))
            raise ValueError(
                f'no {head}.{name!r} in the checkpoint: it is not a student '
                f'with a SerialClsHead (head keys found: {found})')
    return out


def fold_state_dict(state_dict: Mapping[str, Any],
                    head: str = 'head') -> 'OrderedDict[str, Any]':
    """Fold ``{head}.ser`` into ``{head}.fc`` in a student state dict.

    Args:
        state_dict: a student's state dict (see
            :func:`extract_student_state_dict`).
        head: name of the head module. Defaults to ``'head'``.

    Returns:
        OrderedDict: the same keys without ``{head}.ser.*``, with
        ``{head}.fc.weight = W_ser·W_fc`` and
        ``{head}.fc.bias = W_ser·b_fc + b_ser``.

    Raises:
        ValueError: on shapes that do not make ``ser`` a ``C×C`` layer on
            top of a ``C``-output ``fc``.
    """
    sd = OrderedDict(state_dict.items())
    w_fc: Tensor = sd[f'{head}.fc.weight']
    b_fc: Optional[Tensor] = sd.get(f'{head}.fc.bias')
    w_ser: Tensor = sd[f'{head}.ser.weight']
    b_ser: Optional[Tensor] = sd.get(f'{head}.ser.bias')
    num_classes = w_fc.shape[0]
    if w_fc.dim() != 2 or tuple(w_ser.shape) != (num_classes, num_classes):
        raise ValueError(
            f'{head}.ser.weight must be [C, C] with C = {head}.fc\'s '
            f'{num_classes} outputs; got {head}.fc.weight '
            f'{tuple(w_fc.shape)} and {head}.ser.weight '
            f'{tuple(w_ser.shape)}')
    dtype = w_fc.dtype
    w64 = w_ser.double()
    weight = w64 @ w_fc.double()
    bias = torch.zeros(num_classes, dtype=torch.float64)
    if b_fc is not None:
        bias = bias + w64 @ b_fc.double()
    if b_ser is not None:
        bias = bias + b_ser.double()
    for key in [k for k in sd if k.startswith(f'{head}.ser.')]:
        del sd[key]
    sd[f'{head}.fc.weight'] = weight.to(dtype).contiguous()
    sd[f'{head}.fc.bias'] = bias.to(dtype).contiguous()
    return sd


_PLAIN = (str, int, float, bool, type(None))


def plain_meta(value: Any) -> Any:
    """Keep only plain Python data (what ``weights_only=True`` loads).

    Dicts with string keys, lists/tuples and ``str``/``int``/``float``/
    ``bool``/``None`` are kept (numpy scalars become Python numbers); anything
    else is dropped (``None`` is returned for it at the top level).
    """
    if isinstance(value, _PLAIN):
        return value
    item = getattr(value, 'item', None)
    if callable(item) and getattr(value, 'ndim', None) == 0 \
            and not isinstance(value, Tensor):
        out = item()
        return out if isinstance(out, _PLAIN) else None
    if isinstance(value, Mapping):
        out = {}
        for k, v in value.items():
            if not isinstance(k, str):
                continue
            v = plain_meta(v)
            if v is not None or value[k] is None:
                out[k] = v
        return out
    if isinstance(value, (list, tuple)):
        items = [plain_meta(v) for v in value]
        if any(i is None and v is not None for i, v in zip(items, value)):
            return None
        return list(items)
    return None


def write_checkpoint(checkpoint: Dict[str, Any], path: str) -> None:
    """Save ``checkpoint`` to ``path`` atomically (temp file + ``os.replace``,
    :func:`mmkd_logits.compat.fileio.atomic_torch_save`).

    Args:
        checkpoint: the object to save.
        path: destination; its directory is created if needed.
    """
    from mmkd_logits.compat.fileio import atomic_torch_save
    atomic_torch_save(checkpoint, osp.abspath(osp.expanduser(path)))


def student_config(cfg: Any, head: str = 'head') -> Any:
    """The folded student's mmpretrain config from an AEKT config.

    Accepts a distillation config (``model.architecture`` is the student) or
    a student config. The student model gets the distillation model's
    ``data_preprocessor`` (if it has none), its head becomes a
    ``LinearClsHead`` (``ser_bias`` removed), validation/testing use
    mmengine's plain loops, and mmrazor/mmkd_logits training hooks
    (distillation warm-up) and ``find_unused_parameters`` are dropped.
    Datasets, pipelines and evaluators are kept.

    Args:
        cfg (mmengine.Config): the training config.
        head: attribute name of the student's head. Defaults to ``'head'``.

    Returns:
        mmengine.Config: a new config.
    """
    from mmengine.config import Config, ConfigDict
    cfg = Config(copy.deepcopy(cfg.to_dict()))
    model = cfg.model
    # top-level helper variables of the training config (e.g. ``student`` /
    # ``teacher`` imported from ``_base_``) that duplicate the models
    stale = [model.get('architecture'), model.get('teacher')]
    for key in [k for k, v in cfg.items()
                if k != 'model' and v is not None and v in stale]:
        cfg.pop(key)
    if 'architecture' in model:
        student = model.architecture
        if 'cfg_path' in student:
            from mmengine.hub import get_config
            student = get_config(student.cfg_path).model
        student = ConfigDict(copy.deepcopy(dict(student)))
        if student.get('data_preprocessor') is None and \
                model.get('data_preprocessor') is not None:
            student.data_preprocessor = model.data_preprocessor
        model = student
    if head not in model:
        raise ValueError(f'the student model config has no {head!r}')
    model[head].type = 'LinearClsHead'
    model[head].pop('ser_bias', None)
    cfg.model = model
    for loop in ('val_cfg', 'test_cfg'):
        loop_type = str((cfg.get(loop) or {}).get('type', ''))
        if 'Distill' in loop_type:
            cfg[loop] = dict()
    hooks = cfg.get('custom_hooks') or []
    cfg.custom_hooks = [h for h in hooks if not _is_distill_hook(h)]
    cfg.pop('find_unused_parameters', None)
    cfg.pop('teacher_ckpt', None)
    return cfg


def _is_distill_hook(hook: Mapping[str, Any]) -> bool:
    """Whether a ``custom_hooks`` entry belongs to distillation training."""
    hook_type = hook.get('type', '')
    if not isinstance(hook_type, str):
        module = getattr(hook_type, '__module__', '')
        return module.startswith(('mmrazor', 'mmkd_logits'))
    return hook_type.startswith('mmrazor.') or 'Distill' in hook_type


def fold_checkpoint(src: str,
                    dst: str,
                    head: str = 'head',
                    trust: bool = False) -> Dict[str, Any]:
    """Fold the serialization head of the checkpoint ``src`` into ``dst``.

    Args:
        src: a student or distillation checkpoint written by mmengine.
        dst: output path (written atomically).
        head: name of the student's head module. Defaults to ``'head'``.
        trust: allow full unpickling of ``src`` if a weights-only load
            refuses it (only for files you trust). Defaults to False.

    Returns:
        dict: the checkpoint that was written.
    """
    import mmkd_logits  # noqa: F401  (allow-lists mmengine's plain types)
    from mmkd_logits.compat import checkpoint as ckpt_io
    if trust:
        ckpt_io.trust_file(src)
    loaded = ckpt_io.load(src, map_location='cpu')
    if isinstance(loaded, Mapping) and 'state_dict' in loaded:
        state_dict, meta = loaded['state_dict'], loaded.get('meta') or {}
    elif isinstance(loaded, Mapping):
        state_dict, meta = loaded, {}
    else:
        raise ValueError(f'{src}: not a checkpoint (got '
                         f'{type(loaded).__name__})')
    student = extract_student_state_dict(state_dict, head)
    folded = fold_state_dict(student, head)
    out_meta = plain_meta(meta) if isinstance(meta, Mapping) else {}
    out_meta = dict(out_meta or {})
    out_meta.update(
        folded_from=osp.abspath(src),
        folded_by='mmkd_logits tools/fold_serial_head.py',
        head_type='LinearClsHead',
        num_classes=int(folded[f'{head}.fc.weight'].shape[0]),
        mmkd_logits_version=mmkd_logits.__version__)
    checkpoint = {'state_dict': folded, 'meta': out_meta}
    write_checkpoint(checkpoint, dst)
    return checkpoint


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    """Command-line arguments (see the module docstring)."""
    parser = argparse.ArgumentParser(
        description='Fold the SerialClsHead (ser∘fc) of an AEKT student into '
        'one linear layer and write a plain mmpretrain LinearClsHead '
        'checkpoint.')
    parser.add_argument('checkpoint',
                        help='student or distillation checkpoint')
    parser.add_argument('out', help='output checkpoint path')
    parser.add_argument('--config',
                        help='training config (distillation or student); '
                        'with it the folded student\'s config is written too')
    parser.add_argument('--out-config',
                        help='where to write the student config (default: '
                        'next to OUT, with the suffix .py)')
    parser.add_argument('--head', default='head',
                        help='name of the student\'s head module')
    parser.add_argument('--trust-checkpoint', action='store_true',
                        help='allow full unpickling of CHECKPOINT if a '
                        'weights-only load refuses it (trusted files only)')
    return parser.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Entry point; returns the exit status."""
    args = parse_args(argv)
    try:
        ckpt = fold_checkpoint(args.checkpoint, args.out, head=args.head,
                               trust=args.trust_checkpoint)
    except (ValueError, FileNotFoundError, OSError) as err:
        print(f'fold_serial_head: error: {err}', file=sys.stderr)
        return 1
    except Exception as err:  # e.g. UntrustedCheckpointError
        if type(err).__name__ != 'UntrustedCheckpointError':
            raise
        print(f'fold_serial_head: error: {err}', file=sys.stderr)
        return 1
    print(f'folded {args.head}.ser into {args.head}.fc '
          f'({ckpt["meta"]["num_classes"]} classes): {args.out}')
    if args.config:
        from mmengine.config import Config
        cfg = student_config(Config.fromfile(args.config), head=args.head)
        cfg.load_from = osp.abspath(args.out)
        out_cfg = args.out_config or osp.splitext(args.out)[0] + '.py'
        cfg.dump(out_cfg)
        print(f'student config (LinearClsHead): {out_cfg}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
