from .checks import CorruptImageError, DatasetError, check_labels
from .tiny_imagenet import TinyImageNet

__all__ = ['TinyImageNet', 'DatasetError', 'CorruptImageError', 'check_labels']
