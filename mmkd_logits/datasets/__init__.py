from .checks import CorruptImageError, DatasetError, check_labels
from .tiny_imagenet import TinyImageNet
from .transforms import CheckedLoadImageFromFile

__all__ = [
    'TinyImageNet', 'CheckedLoadImageFromFile', 'DatasetError',
    'CorruptImageError', 'check_labels'
]
