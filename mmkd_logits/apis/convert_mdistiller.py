"""CRD / mdistiller checkpoints as mmengine checkpoints of the zoo.

The published CIFAR-100 teachers of the distillation literature
(``<arch>_vanilla/ckpt_epoch_240.pth`` of CRD, also used by mdistiller)
hold the network's state dict under ``"model"``. :func:`convert_file` maps
every key onto the module names of the zoo
(:mod:`mmkd_logits.models.backbones`): ``<key>`` -> ``backbone.<key>``, and
the original classifier (``fc``, ``linear``, ``classifier`` or
``classifier.0``, depending on the network: :data:`CLASSIFIER_PREFIX`) ->
``head.fc``. Every shape is checked against the network built from
``configs/_base_/models/cifar100/<ARCH>.py`` (shipped in the package); any
key that cannot be placed, any missing key and any shape mismatch aborts
the conversion with the list of offending keys. The output
``{'state_dict': ..., 'meta': ...}`` holds tensors and plain Python values
only, so it loads with ``torch.load(..., weights_only=True)`` -- as
``load_from=`` and mmrazor's ``teacher_ckpt=`` do. The source is loaded
weights-only too, unless it is trusted (``--trust-checkpoint``).
"""
import hashlib
import os.path as osp
from collections import OrderedDict
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

import torch

from .checkpoint_io import load_checkpoint_file, save_checkpoint

__all__ = [
    'CLASSIFIER_PREFIX', 'ARCHS', 'ConversionError', 'model_config_dir',
    'map_key', 'default_num_classes', 'build_model', 'expected_layout',
    'extract_state_dict', 'convert_state_dict', 'convert_file'
]


def model_config_dir() -> str:
    """``configs/_base_/models/cifar100`` inside the installed package."""
    package = osp.dirname(osp.dirname(osp.abspath(__file__)))
    return osp.join(package, 'configs', '_base_', 'models', 'cifar100')


#: Name of the classifier (a single ``nn.Linear``) in the original network,
#: as a state-dict key prefix; it becomes ``head.fc.``.
_FC_ARCHS = ('resnet8', 'resnet14', 'resnet20', 'resnet32', 'resnet44',
             'resnet56', 'resnet110', 'resnet8x4', 'resnet32x4', 'wrn_16_1',
             'wrn_16_2', 'wrn_40_1', 'wrn_40_2', 'MobileNetV1')
_LINEAR_ARCHS = ('ResNet18', 'ResNet34', 'ResNet50', 'ShuffleV1', 'ShuffleV2')
_VGG_ARCHS = ('vgg8', 'vgg11', 'vgg13', 'vgg16', 'vgg19')
CLASSIFIER_PREFIX: Dict[str, str] = {
    **dict.fromkeys(_FC_ARCHS, 'fc.'),
    **dict.fromkeys(_LINEAR_ARCHS, 'linear.'),
    **dict.fromkeys(_VGG_ARCHS, 'classifier.'),
    'MobileNetV2': 'classifier.0.',
}

#: Archs without a CIFAR-100 model config (built inline).
INLINE_MODELS: Dict[str, Tuple[int, int]] = {
    # arch: (default number of classes, feature channels)
    'MobileNetV1': (1000, 1024),
}

ARCHS: Tuple[str, ...] = tuple(CLASSIFIER_PREFIX)

#: Buffers that old checkpoints may lack; filled with zeros when missing.
_FILLABLE_SUFFIX = '.num_batches_tracked'


class ConversionError(RuntimeError):
    """The checkpoint does not fit the requested architecture."""


def _fmt_shape(shape: Sequence[int]) -> str:
    return '[' + ', '.join(str(int(s)) for s in shape) + ']'


def map_key(arch: str, key: str) -> str:
    """Our key (``backbone.*`` / ``head.fc.*``) for an original key."""
    prefix = CLASSIFIER_PREFIX[arch]
    rest = key[len(prefix):]
    if key.startswith(prefix) and rest in ('weight', 'bias'):
        return 'head.fc.' + rest
    return 'backbone.' + key


def default_num_classes(arch: str) -> int:
    return INLINE_MODELS[arch][0] if arch in INLINE_MODELS else 100


def build_model(arch: str, num_classes: Optional[int] = None):
    """Build our ``ImageClassifier`` for ``arch`` (CPU, eval mode)."""
    from mmengine.config import Config
    from mmpretrain.registry import MODELS

    if arch not in CLASSIFIER_PREFIX:
        raise ConversionError(f'unknown architecture {arch!r}; expected one '
                              f'of: {", ".join(ARCHS)}')
    if num_classes is None:
        num_classes = default_num_classes(arch)
    if arch in INLINE_MODELS:
        model_cfg = dict(
            _scope_='mmpretrain',
            type='ImageClassifier',
            backbone=dict(type=arch),
            neck=dict(type='GlobalAveragePooling'),
            head=dict(
                type='LinearClsHead',
                num_classes=num_classes,
                in_channels=INLINE_MODELS[arch][1],
                loss=dict(type='CrossEntropyLoss', loss_weight=1.0)))
    else:
        cfg_path = osp.join(model_config_dir(), f'{arch}.py')
        if not osp.isfile(cfg_path):
            raise ConversionError(f'model config not found: {cfg_path}')
        model_cfg = Config.fromfile(cfg_path).model
        model_cfg.head.num_classes = num_classes
    return MODELS.build(model_cfg).eval()


def expected_layout(
        arch: str,
        num_classes: Optional[int] = None) -> 'OrderedDict[str, torch.Size]':
    """Our state-dict keys and shapes for ``arch``, in order."""
    model = build_model(arch, num_classes)
    return OrderedDict((k, v.shape) for k, v in model.state_dict().items())


def extract_state_dict(
    obj: Any,
    src_prefix: Optional[str] = None
) -> Tuple['OrderedDict[str, torch.Tensor]', str]:
    """The network state dict inside a loaded checkpoint.

    Accepts a CRD/mdistiller checkpoint (state dict under ``"model"``) or a
    bare state dict. A ``module.`` prefix (DataParallel) present on every
    key is removed; ``src_prefix`` selects and strips a sub-network (e.g.
    ``module.student.`` in an mdistiller distiller checkpoint).

    Returns the state dict and the detected format (``'model'`` or
    ``'bare'``).
    """
    if not isinstance(obj, Mapping):
        raise ConversionError(
            f'the checkpoint is a {type(obj).__name__}, not a dict')
    if 'model' in obj and isinstance(obj['model'], Mapping):
        state, fmt = obj['model'], 'model'
    elif obj and all(isinstance(v, torch.Tensor) for v in obj.values()):
        state, fmt = obj, 'bare'
    elif 'state_dict' in obj and isinstance(obj['state_dict'], Mapping):
        raise ConversionError(
            'this looks like an mmengine checkpoint (it has "state_dict", '
            'no "model"): it is probably converted already')
    else:
        raise ConversionError(
            'no state dict found: expected a CRD/mdistiller checkpoint with '
            'the weights under "model", or a bare state dict; top-level keys '
            f'are {sorted(map(str, obj))[:20]}')
    non_tensors = [k for k, v in state.items() if not torch.is_tensor(v)]
    if non_tensors:
        raise ConversionError(
            f'state dict entries that are not tensors: {non_tensors[:20]}')
    state = OrderedDict(state)
    if src_prefix:
        state = OrderedDict((k[len(src_prefix):], v) for k, v in state.items()
                            if k.startswith(src_prefix))
        if not state:
            raise ConversionError(f'no key starts with {src_prefix!r}')
    elif state and all(k.startswith('module.') for k in state):
        state = OrderedDict((k[len('module.'):], v) for k, v in state.items())
    return state, fmt


def convert_state_dict(
    arch: str,
    state: Mapping[str, torch.Tensor],
    num_classes: Optional[int] = None,
    layout: Optional[Mapping[str, Sequence[int]]] = None,
) -> Tuple['OrderedDict[str, torch.Tensor]', List[str]]:
    """Map an original state dict onto our module names, checking shapes.

    Args:
        arch: zoo name (``resnet32x4``, ``wrn_40_2``, ``MobileNetV2``...).
        state: the original state dict.
        num_classes: classes of the classifier (default 100; 1000 for
            MobileNetV1).
        layout: our expected keys and shapes (computed from the model
            config when ``None``).

    Returns:
        The converted state dict, in our model's key order, and the list of
        our keys that were filled in (``num_batches_tracked`` buffers absent
        from old checkpoints).

    Raises:
        ConversionError: listing every original key that cannot be placed,
            every key of ours left without a value and every shape
            mismatch.
    """
    if arch not in CLASSIFIER_PREFIX:
        raise ConversionError(f'unknown architecture {arch!r}; expected one '
                              f'of: {", ".join(ARCHS)}')
    if layout is None:
        layout = expected_layout(arch, num_classes)
    layout = OrderedDict((k, tuple(s)) for k, s in layout.items())

    mapped: Dict[str, torch.Tensor] = {}
    unplaced: List[str] = []
    mismatched: List[str] = []
    for key, value in state.items():
        ours = map_key(arch, key)
        if ours not in layout:
            unplaced.append(f'{key} {_fmt_shape(value.shape)}')
        elif tuple(value.shape) != layout[ours]:
            mismatched.append(
                f'{key} {_fmt_shape(value.shape)} -> {ours} expects '
                f'{_fmt_shape(layout[ours])}')
        else:
            mapped[ours] = value
    missing: List[str] = []
    filled: List[str] = []
    for ours, shape in layout.items():
        if ours in mapped:
            continue
        if ours.endswith(_FILLABLE_SUFFIX):
            filled.append(ours)
            continue
        missing.append(f'{ours} {_fmt_shape(shape)}')
    if unplaced or mismatched or missing:
        lines = [f'the checkpoint does not fit {arch}:']
        if unplaced:
            lines.append(f'  keys that cannot be placed ({len(unplaced)}):')
            lines += [f'    {k}' for k in unplaced]
        if mismatched:
            lines.append(f'  shape mismatches ({len(mismatched)}):')
            lines += [f'    {k}' for k in mismatched]
        if missing:
            lines.append(f'  missing keys ({len(missing)}):')
            lines += [f'    {k}' for k in missing]
        cls_rows = [
            s for k, s in ((map_key(arch, k), v.shape)
                           for k, v in state.items()) if k == 'head.fc.weight'
        ]
        if cls_rows and cls_rows[0][0] != layout['head.fc.weight'][0]:
            lines.append(f'  (the classifier has {cls_rows[0][0]} classes: '
                         f'pass --num-classes {cls_rows[0][0]} if that is '
                         'intended)')
        raise ConversionError('\n'.join(lines))
    out = OrderedDict()
    for ours in layout:
        if ours in mapped:
            out[ours] = mapped[ours].detach().cpu().contiguous()
        else:
            out[ours] = torch.zeros((), dtype=torch.long)
    return out, filled


def _plain(value: Any) -> Any:
    """A plain Python number for a checkpoint's ``epoch`` / ``accuracy`` /
    ``best_acc`` (CRD stores the accuracies as tensors)."""
    if torch.is_tensor(value) and value.numel() == 1:
        value = value.item()
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    try:  # numpy scalars
        return value.item() if hasattr(value, 'item') else None
    except Exception:  # pragma: no cover - anything else is dropped
        return None


def _sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, 'rb') as f:
        for chunk in iter(lambda: f.read(1 << 20), b''):
            h.update(chunk)
    return h.hexdigest()


def convert_file(arch: str,
                 src: str,
                 dst: str,
                 num_classes: Optional[int] = None,
                 src_prefix: Optional[str] = None) -> Dict[str, Any]:
    """Convert the checkpoint ``src`` to ``dst`` (written atomically).

    ``src`` loads weights-only unless it is trusted
    (:func:`~mmkd_logits.apis.checkpoint_io.trust_checkpoints`).

    Returns:
        dict: the written ``meta``.
    """
    if arch not in CLASSIFIER_PREFIX:
        raise ConversionError(f'unknown architecture {arch!r}; expected one '
                              f'of: {", ".join(ARCHS)}')
    if osp.abspath(src) == osp.abspath(dst):
        raise ConversionError('SRC and DST are the same file')
    obj = load_checkpoint_file(src)
    state, fmt = extract_state_dict(obj, src_prefix)
    if num_classes is None:
        num_classes = default_num_classes(arch)
    model = build_model(arch, num_classes)
    layout = OrderedDict((k, v.shape) for k, v in model.state_dict().items())
    converted, filled = convert_state_dict(arch, state, num_classes, layout)
    # Final proof: the result loads strictly into the network.
    model.load_state_dict(converted, strict=True)

    from .. import __version__
    from ..models.backbones import ZOO_REGISTRY_NAMES
    meta: Dict[str, Any] = dict(
        arch=arch,
        backbone=ZOO_REGISTRY_NAMES.get(arch, arch),
        num_classes=int(num_classes),
        source=dict(
            file=osp.basename(src),
            sha256=_sha256(src),
            format=fmt,
            num_keys=len(state)),
        converted_by='mmkd_logits.apis.convert_mdistiller',
        mmkd_logits_version=str(__version__),
        filled_keys=list(filled),
    )
    if isinstance(obj, Mapping):
        for k in ('epoch', 'accuracy', 'best_acc'):
            if k in obj:
                v = _plain(obj[k])
                if v is not None:
                    meta['source'][k] = v
    save_checkpoint(converted, meta, dst)
    return meta
