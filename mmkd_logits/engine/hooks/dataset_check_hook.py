"""Check the datasets' labels before the first training iteration."""
import time
from typing import Any, Optional

from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmrazor.registry import HOOKS

from ...datasets.checks import DatasetError, check_labels, unwrap_datasets
from ...datasets.transforms import CheckedLoadImageFromFile

__all__ = ['DatasetCheckHook', 'num_classes_of_model']


def _head_classes(model: Any) -> Optional[int]:
    head = getattr(model, 'head', None)
    num = getattr(head, 'num_classes', None)
    return int(num) if isinstance(num, int) else None


def num_classes_of_model(model: Any) -> Optional[int]:
    """The number of classes the model is trained on, or ``None``.

    The student's head for a distillation algorithm (``model.student``),
    else ``model.head``, else ``model.data_preprocessor.num_classes``; model
    wrappers (DDP) are unwrapped first.
    """
    if is_model_wrapper(model):
        model = model.module
    student = getattr(model, 'student', None)
    for candidate in (student, model):
        if candidate is not None:
            num = _head_classes(candidate)
            if num is not None:
                return num
    preprocessor = getattr(model, 'data_preprocessor', None)
    num = getattr(preprocessor, 'num_classes', None)
    return int(num) if isinstance(num, int) else None


def _skips_in_test_mode(dataset: Any) -> bool:
    """Whether a test-mode dataset's pipeline would skip corrupt images
    (mmengine's BaseDataset raises on a skipped sample in test mode)."""
    if not getattr(dataset, 'test_mode', False):
        return False
    transforms = getattr(getattr(dataset, 'pipeline', None), 'transforms', [])
    return any(
        isinstance(t, CheckedLoadImageFromFile) and t.on_error == 'skip'
        for t in transforms)


@HOOKS.register_module()
class DatasetCheckHook(Hook):
    """Stop a run before its first iteration if a label of the training or
    validation dataset is outside ``[0, num_classes)``.

    In ``before_train`` it reads every label of ``runner.train_dataloader``'s
    dataset and, if the run validates, of ``runner.val_dataloader``'s
    (dataset wrappers are unwrapped), without decoding an image, and raises
    :class:`~mmkd_logits.datasets.DatasetError` naming the dataset, the
    file (CIFAR pickle, annotation file and line, image path), the sample
    index, the label and the accepted range -- instead of
    ``IndexError: Target 150 is out of bounds`` from the loss at some
    iteration. ``num_classes`` is the student's head's
    (:func:`num_classes_of_model`); if the model has none, one log line says
    so and the label check is skipped.

    It also refuses a validation / test pipeline whose
    :class:`~mmkd_logits.datasets.CheckedLoadImageFromFile` has
    ``on_error='skip'``: mmengine's datasets cannot skip a sample in test
    mode.

    Cost: reading the annotations once (about 0.2 s for CIFAR-100's 50k
    training samples, 1 s for ImageNet's 1.28M); no arguments. Enable it
    with ``custom_hooks = [..., dict(type=DatasetCheckHook)]``.
    """

    priority = 'VERY_HIGH'

    def before_train(self, runner) -> None:
        loaders = [('train', runner.train_dataloader)]
        if runner.val_loop is not None:
            loaders.append(('val', runner.val_dataloader))
        for split, loader in loaders:
            for dataset in unwrap_datasets(loader.dataset):
                if _skips_in_test_mode(dataset):
                    raise DatasetError(
                        f'{split} dataset {type(dataset).__name__}: '
                        "CheckedLoadImageFromFile(on_error='skip') cannot "
                        "work in a test-mode dataset (mmengine's BaseDataset"
                        ' raises on a skipped sample); use on_error='
                        "'raise' in the val/test pipeline")
        num_classes = num_classes_of_model(runner.model)
        if num_classes is None:
            runner.logger.info(
                'DatasetCheckHook: the model has no head.num_classes or '
                'data_preprocessor.num_classes; labels not checked')
            return
        for split, loader in loaders:
            start = time.perf_counter()
            count = check_labels(
                loader.dataset, num_classes, what=f'{split} dataset')
            runner.logger.info(f'DatasetCheckHook: {count} {split} labels in '
                               f'[0, {num_classes - 1}] '
                               f'({time.perf_counter() - start:.2f} s)')
