"""Repeat a grey image to three channels."""
from typing import Dict

import numpy as np
from mmcv.transforms import BaseTransform
from mmpretrain.registry import TRANSFORMS

__all__ = ['GreyToRGB']


@TRANSFORMS.register_module()
class GreyToRGB(BaseTransform):
    """Repeat a one-channel image (``H×W`` or ``H×W×1``) to ``H×W×3``, so
    that networks built for colour images (the CIFAR zoo's 3-channel stem)
    take grey datasets such as Fashion-MNIST unchanged. Three-channel images
    pass as they are.

    Required keys: ``img``. Modified keys: ``img``.

    Raises:
        ValueError: an image that is neither ``H×W``, ``H×W×1`` nor
            ``H×W×3`` (the message gives its shape).
    """

    def transform(self, results: Dict) -> Dict:
        img = results['img']
        if img.ndim == 3 and img.shape[2] == 3:
            return results
        if img.ndim == 3 and img.shape[2] == 1:
            img = img[:, :, 0]
        if img.ndim != 2:
            raise ValueError('GreyToRGB expects an H×W, H×W×1 or H×W×3 '
                             f'image, got shape {tuple(img.shape)}')
        results['img'] = np.repeat(img[:, :, None], 3, axis=2)
        return results
