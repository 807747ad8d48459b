"""The exception of configuration mistakes found before training."""
import difflib
from typing import Iterable

__all__ = ['ConfigError', 'close_matches']


class ConfigError(ValueError):
    """One or more configuration mistakes, found before training starts.

    The message lists every problem on its own line, each naming the config
    key, what is wrong and what is accepted.
    """

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems = list(problems)
        lines = '\n'.join(f'  - {p}' for p in self.problems)
        super().__init__(f'{len(self.problems)} configuration problem(s):\n'
                         f'{lines}')


def close_matches(name: str, names: Iterable[str]) -> str:
    """``'; did you mean: a, b'`` for names close to ``name``, else ``''``."""
    names = [n for n in names if isinstance(n, str)]
    # a difference of case only (topK -> topk) is the likely typo
    close = [n for n in names if n.lower() == str(name).lower()]
    if not close:
        close = difflib.get_close_matches(str(name), names, n=3, cutoff=0.6)
    return f'; did you mean: {", ".join(close)}' if close else ''
