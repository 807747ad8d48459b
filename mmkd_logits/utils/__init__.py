"""Utilities that are neither models nor upstream workarounds."""
from .config_check import (ConfigError, check_config,  # noqa: F401
                           check_model)

__all__ = ['ConfigError', 'check_config', 'check_model']
