"""Errors and the pre-flight checks that run before anything is built."""
from .errors import ConfigError, close_matches
from .preflight import check_dataset_paths, check_teacher, preflight_check

__all__ = [
    'ConfigError', 'close_matches', 'preflight_check', 'check_dataset_paths',
    'check_teacher'
]
