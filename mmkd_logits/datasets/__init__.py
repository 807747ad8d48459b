from .checks import CorruptImageError, DatasetError, check_labels
from .tiny_imagenet import TinyImageNet
from .transforms import CheckedLoadImageFromFile
from .verify import verify_dataset

__all__ = [
    'TinyImageNet', 'CheckedLoadImageFromFile', 'DatasetError',
    'CorruptImageError', 'check_labels', 'verify_dataset'
]
