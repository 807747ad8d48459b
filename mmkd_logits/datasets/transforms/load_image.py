"""Load an image file, or stop at once naming it if it is corrupt."""
import logging
from typing import Optional

from mmcv.transforms import LoadImageFromFile
from mmengine.logging import print_log
from mmpretrain.registry import TRANSFORMS

from ..checks import CorruptImageError, load_image_file

__all__ = ['CheckedLoadImageFromFile']

_ON_ERROR = ('raise', 'skip')


def _process_name() -> str:
    """``'dataloader worker k'`` inside a DataLoader worker (each keeps its
    own count), else ``'the main process'``."""
    from torch.utils.data import get_worker_info
    info = get_worker_info()
    return 'the main process' if info is None else \
        f'dataloader worker {info.id}'


@TRANSFORMS.register_module()
class CheckedLoadImageFromFile(LoadImageFromFile):
    """mmcv's ``LoadImageFromFile`` that names the file it cannot load.

    mmcv's transform lets a corrupt file through as a bare OpenCV assertion
    (an empty file: ``!buf.empty() in function 'imdecode_'``, no path) or,
    with OpenCV 4.x, decodes a truncated JPEG into grey rows with only a
    warning. This one reads the bytes, rejects an empty or truncated file
    from the bytes themselves (see
    :func:`~mmkd_logits.datasets.checks.truncation_reason`; microseconds
    per image), then decodes once with the configured backend, as mmcv
    does.

    Args:
        on_error (str): what a missing, empty, truncated or undecodable
            file does.

            - ``'raise'`` (default): raise
              :class:`~mmkd_logits.datasets.checks.CorruptImageError` naming
              the path and the reason, in the iteration that first draws it.
            - ``'skip'``: log a warning with the path, the reason and the
              number of images this process skipped so far, and return
              ``None``; mmengine's ``BaseDataset`` then draws another random
              sample (training datasets only: in ``test_mode`` it raises on
              ``None``, so validation / test pipelines must keep
              ``'raise'``; :class:`~mmkd_logits.engine.hooks.
              DatasetCheckHook` refuses such a configuration before
              training).
        **kwargs: ``to_float32``, ``color_type``, ``imdecode_backend``,
            ``backend_args`` of :class:`mmcv.transforms.LoadImageFromFile`
            (its ``ignore_empty``, which drops broken files silently, is
            replaced by ``on_error='skip'``).
    """

    def __init__(self, on_error: str = 'raise', **kwargs) -> None:
        if on_error not in _ON_ERROR:
            raise ValueError(f'CheckedLoadImageFromFile: on_error must be '
                             f'one of {_ON_ERROR}, got {on_error!r}')
        if 'ignore_empty' in kwargs:
            raise TypeError(
                "CheckedLoadImageFromFile: use on_error='skip' instead of "
                'ignore_empty (which skips broken files without a word)')
        if 'file_client_args' in kwargs:
            raise TypeError('CheckedLoadImageFromFile: file_client_args is '
                            'deprecated by mmcv; use backend_args')
        super().__init__(**kwargs)
        self.on_error = on_error
        self.skipped = 0

    def transform(self, results: dict) -> Optional[dict]:
        """Load ``results['img_path']`` into ``results['img']`` (and its
        ``img_shape`` / ``ori_shape``), or handle a corrupt file as
        ``on_error`` says."""
        path = results['img_path']
        try:
            img = load_image_file(
                path,
                color_type=self.color_type,
                imdecode_backend=self.imdecode_backend,
                backend_args=self.backend_args)
        except CorruptImageError as err:
            if self.on_error == 'raise':
                raise
            self.skipped += 1
            print_log(
                f'skipped {err} ({self.skipped} image(s) skipped so far by '
                f'{_process_name()}); another sample is drawn instead',
                logger='current',
                level=logging.WARNING)
            return None
        if self.to_float32:
            img = img.astype('float32')
        results['img'] = img
        results['img_shape'] = img.shape[:2]
        results['ori_shape'] = img.shape[:2]
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(on_error={self.on_error!r}, '
                f'to_float32={self.to_float32}, '
                f'color_type={self.color_type!r}, '
                f'imdecode_backend={self.imdecode_backend!r}, '
                f'backend_args={self.backend_args})')
