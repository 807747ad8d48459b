from .load_image import CheckedLoadImageFromFile

__all__ = ['CheckedLoadImageFromFile']
