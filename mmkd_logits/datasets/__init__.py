from .checks import CorruptImageError, DatasetError, check_labels
from .fashion_mnist import LocalFashionMNIST
from .tiny_imagenet import TinyImageNet
from .transforms import CheckedLoadImageFromFile, GreyToRGB
from .verify import verify_dataset

__all__ = [
    'TinyImageNet', 'LocalFashionMNIST', 'CheckedLoadImageFromFile',
    'GreyToRGB', 'DatasetError', 'CorruptImageError', 'check_labels',
    'verify_dataset'
]
