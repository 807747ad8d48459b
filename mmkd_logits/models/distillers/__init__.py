"""Distillers of the package (in mmrazor's ``MODELS``)."""
from .logit_distiller import LogitDistiller

__all__ = ['LogitDistiller']
