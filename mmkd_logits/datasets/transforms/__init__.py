from .grey_to_rgb import GreyToRGB
from .load_image import CheckedLoadImageFromFile

__all__ = ['CheckedLoadImageFromFile', 'GreyToRGB']
