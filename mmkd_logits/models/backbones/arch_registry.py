"""One class per backbone family, one registry name per architecture.

A family (``CIFARResNet``, ``CIFARResNetV2``, ``WideResNetCIFAR``,
``CIFARVGG``) describes its members in a class-level ``arch_settings``
table and takes ``arch`` as its first argument, as mmpretrain's ``ResNet``
does with ``arch_settings`` and ``depth``. :func:`register_archs` also
registers every key of that table in mmpretrain's ``MODELS`` as a factory,
so the zoo names of the distillation literature stay string types:
``dict(type='resnet8x4')`` builds ``CIFARResNet(arch='resnet8x4')``.
"""
from typing import Any, Callable, TypeVar

from mmpretrain.registry import MODELS

__all__ = ['register_archs', 'arch_setting']

FamilyT = TypeVar('FamilyT', bound=type)


def arch_setting(family: type, arch: Any) -> Any:
    """``family.arch_settings[arch]``.

    Raises:
        ValueError: ``arch`` is not in the table; the message names the
            accepted architectures.
    """
    settings = family.arch_settings
    if not isinstance(arch, str) or arch not in settings:
        raise ValueError(f'{family.__name__}: unknown arch {arch!r}; '
                         f'expected one of: {", ".join(settings)}')
    return settings[arch]


def _factory(family: type, arch: str) -> Callable[..., Any]:
    """``family(arch, **kwargs)`` under the name ``arch`` (passing ``arch``
    again is a ``TypeError``)."""

    def build(**kwargs: Any) -> Any:
        return family(arch, **kwargs)

    build.__name__ = build.__qualname__ = arch
    build.__module__ = family.__module__
    build.__doc__ = f'``{family.__name__}(arch={arch!r}, **kwargs)``.'
    return build


def register_archs(family: FamilyT) -> FamilyT:
    """Class decorator: register a factory for every key of
    ``family.arch_settings`` in mmpretrain's ``MODELS`` under that key."""
    for arch in family.arch_settings:
        MODELS.register_module(name=arch, module=_factory(family, arch))
    return family
