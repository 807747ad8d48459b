"""The command-line options the tools share, defined once.

Every tool in ``tools/`` is a short CLI over :mod:`mmkd_logits.apis`; the
options several of them take (``--cfg-options``, ``--launcher``,
``--local-rank``, ``--trust-checkpoint``) and the way they report an error
live here, so that each option has one spelling and one meaning.
"""
import argparse
import os
import pickle
import sys
from typing import Any, Callable, Mapping, Optional, Sequence, Tuple

from .checkpoint_io import add_trust_argument, trust_checkpoints

__all__ = [
    'HelpFormatter', 'CLI_ERRORS', 'add_cfg_options_argument',
    'add_launcher_arguments', 'add_trust_argument', 'trust_checkpoints',
    'export_local_rank', 'load_config', 'cli_error', 'parse', 'run'
]

#: the tools' help shows their module docstring (usage examples) as written
HelpFormatter = argparse.RawDescriptionHelpFormatter

#: what a tool reports as ``<tool>: error: <message>`` (exit status 1)
#: instead of a traceback: bad input and refused checkpoints
#: (``UntrustedCheckpointError`` is an ``UnpicklingError``)
CLI_ERRORS: Tuple[type, ...] = (ValueError, OSError, KeyError,
                                pickle.UnpicklingError)


def add_cfg_options_argument(parser: argparse.ArgumentParser) -> None:
    """``--cfg-options KEY=VALUE ...``: merged into the config."""
    from mmengine.config import DictAction
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override settings in the config, e.g. '
        'model.teacher_ckpt=/path/to/teacher.pth (lists: key="[a,b]")')


def add_launcher_arguments(parser: argparse.ArgumentParser) -> None:
    """``--launcher`` and ``--local-rank`` / ``--local_rank`` (what
    ``torch.distributed`` launchers pass)."""
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)


def export_local_rank(args: argparse.Namespace) -> argparse.Namespace:
    """Set ``LOCAL_RANK`` from ``--local-rank`` unless the launcher did."""
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args


def load_config(path: str,
                cfg_options: Optional[Mapping[str, Any]] = None) -> Any:
    """The config file ``path`` (its ``custom_imports`` imported) with
    ``--cfg-options`` merged, as the tools read it."""
    from mmengine.config import Config
    cfg = Config.fromfile(path)
    if cfg_options:
        cfg.merge_from_dict(dict(cfg_options))
    return cfg


def cli_error(prog: str, err: BaseException) -> int:
    """Print ``<prog>: error: <err>`` to stderr; return the exit status 1."""
    print(f'{prog}: error: {err}', file=sys.stderr)
    return 1


def parse(parser: argparse.ArgumentParser,
          argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    """Parse ``argv`` and act on the shared options at once: the files of
    ``--trust-checkpoint`` are trusted (:func:`trust_checkpoints`) and
    ``LOCAL_RANK`` is set from ``--local-rank`` (:func:`export_local_rank`)
    when the parser has them."""
    args = parser.parse_args(argv)
    trust_checkpoints(getattr(args, 'trust_checkpoint', None) or ())
    if hasattr(args, 'local_rank'):
        export_local_rank(args)
    return args


def run(prog: str, report: Callable[[Any], None], func: Callable[..., Any],
        *args: Any, **kwargs: Any) -> int:
    """``func(*args, **kwargs)``, then ``report(result)``; the exit status.

    The errors of :data:`CLI_ERRORS` (and ``RuntimeError`` subclasses the
    package raises for bad input, e.g. ``ConversionError``) are printed as
    ``<prog>: error: <message>`` with the exit status 1 instead of a
    traceback.
    """
    try:
        result = func(*args, **kwargs)
    except CLI_ERRORS as err:
        return cli_error(prog, err)
    except RuntimeError as err:
        if type(err).__module__.split('.')[0] != 'mmkd_logits':
            raise
        return cli_error(prog, err)
    report(result)
    return 0
