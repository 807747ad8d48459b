from . import backbones, heads, losses, recorders  # noqa: F401

__all__ = ['backbones', 'heads', 'losses', 'recorders']
