"""Summaries of training runs read from mmengine's logs.

What mmengine 0.10 writes into a work dir, per start of ``tools/train.py``
(a resumed run adds one more ``<timestamp>`` folder):

* ``<work_dir>/<timestamp>/vis_data/scalars.json`` — one JSON object per
  line (``<timestamp>.json`` next to it has the same lines): training lines
  (``"epoch"``, ``"iter"``, ``"step"`` = iteration, the losses) and one line
  per validation with the metrics and ``"step"`` = the epoch. Distillation
  runs log the student as ``accuracy/top1`` and the teacher as
  ``teacher.accuracy/top1``: only the former is read.
* ``<work_dir>/<timestamp>/vis_data/config.py`` — the run's full config;
  ``<work_dir>/<config name>.py`` — the same, rewritten by every start.

A run's validation curve merges its timestamp folders by epoch, the later
folder winning. ``max_epochs`` and the seed come from the latest folder's
config (read as Python literals; the file is not executed). A run is
**complete** when its last validated epoch is ``max_epochs``; only complete
runs enter the means and standard deviations — incomplete ones are listed
as such. The standard deviation is the sample one (``n - 1``), undefined
for a single run.
"""
import ast
import csv
import glob
import json
import math
import os
import os.path as osp
import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Tuple

from .published import PublishedResult

__all__ = [
    'METRIC', 'RunLog', 'ConfigSummary', 'find_work_dirs', 'read_config',
    'read_run', 'mean_std', 'summarize', 'markdown_report', 'write_csvs',
    'plot_curves', 'summarize_runs'
]

#: the student's validation top-1 (the teacher's is 'teacher.accuracy/top1')
METRIC = 'accuracy/top1'

_TIMESTAMP = re.compile(r'^\d{8}_\d{6}$')
_SEED_DIR = re.compile(r'^seed(\d+)$')


@dataclass
class RunLog:
    """The validation curve of one run (one work dir).

    Attributes:
        work_dir: the run's work dir.
        config: the config's name (file stem).
        seed: ``randomness.seed`` of the run, if known.
        max_epochs: ``train_cfg.max_epochs`` of the latest start.
        curve: epoch → the student's top-1 (%), in epoch order.
        starts: how many times training was started (timestamp folders).
    """
    work_dir: str
    config: str
    seed: Optional[int]
    max_epochs: Optional[int]
    curve: Dict[int, float]
    starts: int = 1

    @property
    def last_epoch(self) -> Optional[int]:
        return max(self.curve) if self.curve else None

    @property
    def last_top1(self) -> Optional[float]:
        return self.curve[self.last_epoch] if self.curve else None

    @property
    def best(self) -> Tuple[Optional[float], Optional[int]]:
        """``(best top-1, its epoch)``; the first epoch that reached it."""
        if not self.curve:
            return None, None
        epoch = min(self.curve, key=lambda e: (-self.curve[e], e))
        return self.curve[epoch], epoch

    @property
    def complete(self) -> bool:
        return (self.max_epochs is not None and self.last_epoch is not None
                and self.last_epoch >= self.max_epochs)

    @property
    def status(self) -> str:
        if self.complete:
            return 'complete'
        if not self.curve:
            return 'incomplete: no validation logged'
        if self.max_epochs is None:
            return (f'incomplete: validated to epoch {self.last_epoch}, '
                    'max_epochs unknown')
        return (f'incomplete: validated to epoch {self.last_epoch} of '
                f'{self.max_epochs}')

    @property
    def label(self) -> str:
        seed = f'seed {self.seed}' if self.seed is not None else \
            osp.basename(osp.normpath(self.work_dir))
        return f'{self.config} {seed}'


@dataclass
class ConfigSummary:
    """Every run of one config, and their statistics over complete runs."""
    config: str
    runs: List[RunLog]
    published: Optional[PublishedResult] = None
    best_mean: Optional[float] = field(init=False, default=None)
    best_std: Optional[float] = field(init=False, default=None)
    last_mean: Optional[float] = field(init=False, default=None)
    last_std: Optional[float] = field(init=False, default=None)

    def __post_init__(self) -> None:
        done = self.complete
        self.best_mean, self.best_std = mean_std([r.best[0] for r in done])
        self.last_mean, self.last_std = mean_std([r.last_top1 for r in done])

    @property
    def complete(self) -> List[RunLog]:
        return [r for r in self.runs if r.complete]

    @property
    def incomplete(self) -> List[RunLog]:
        return [r for r in self.runs if not r.complete]

    @property
    def method(self) -> str:
        """The published entry's method, else the config's name."""
        return self.published.method if self.published else self.config

    def _gap(self, mean: Optional[float]) -> Optional[float]:
        if mean is None or self.published is None \
                or self.published.top1 is None:
            return None
        return mean - self.published.top1

    @property
    def gap_last(self) -> Optional[float]:
        """Mean last top-1 minus the published top-1."""
        return self._gap(self.last_mean)

    @property
    def gap_best(self) -> Optional[float]:
        """Mean best top-1 minus the published top-1."""
        return self._gap(self.best_mean)


def mean_std(
        values: Sequence[float]) -> Tuple[Optional[float], Optional[float]]:
    """Mean and sample standard deviation (``n - 1``); ``None`` where
    undefined (no value; the std of a single value)."""
    n = len(values)
    if n == 0:
        return None, None
    mean = sum(values) / n
    if n == 1:
        return mean, None
    return mean, math.sqrt(sum((v - mean)**2 for v in values) / (n - 1))


def _is_timestamp_dir(path: str) -> bool:
    return bool(_TIMESTAMP.match(
        osp.basename(path))) and (osp.isdir(osp.join(path, 'vis_data'))
                                  or bool(glob.glob(osp.join(path, '*.log'))))


def find_work_dirs(paths: Sequence[str]) -> List[str]:
    """Every work dir under ``paths``: a folder with at least one
    ``<timestamp>/`` log folder of mmengine (sorted).

    Raises:
        FileNotFoundError: a path does not exist.
    """
    found = set()
    for path in paths:
        if not osp.isdir(path):
            raise FileNotFoundError(f'{path} is not a directory')
        for root, dirs, _ in os.walk(path):
            stamps = [d for d in dirs if _is_timestamp_dir(osp.join(root, d))]
            if stamps:
                found.add(osp.normpath(root))
            # never look inside mmengine's own log folders
            dirs[:] = sorted(d for d in dirs if d not in stamps)
    return sorted(found)


def _literal(node: ast.AST) -> Any:
    """A literal, where ``dict(key=...)`` calls count as literals."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
            and node.func.id == 'dict' and not node.args:
        if any(kw.arg is None for kw in node.keywords):
            raise ValueError('dict(**...) is not a literal')
        return {kw.arg: _literal(kw.value) for kw in node.keywords}
    if isinstance(node, ast.List):
        return [_literal(e) for e in node.elts]
    if isinstance(node, ast.Tuple):
        return tuple(_literal(e) for e in node.elts)
    if isinstance(node, ast.Dict):
        if any(k is None for k in node.keys):
            raise ValueError('{**...} is not a literal')
        return {
            _literal(k): _literal(v)
            for k, v in zip(node.keys, node.values)
        }
    return ast.literal_eval(node)


def read_config(path: str) -> Dict[str, Any]:
    """The top-level literal assignments of a config dumped by mmengine
    (``name = dict(...)``, numbers, strings, lists...). The file is parsed,
    not executed; values that are not literals are left out."""
    with open(path, encoding='utf-8') as f:
        tree = ast.parse(f.read(), filename=path)
    out: Dict[str, Any] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 \
                and isinstance(node.targets[0], ast.Name):
            try:
                out[node.targets[0].id] = _literal(node.value)
            except (ValueError, TypeError, SyntaxError):
                pass
    return out


def _scalars_file(stamp_dir: str) -> Optional[str]:
    vis = osp.join(stamp_dir, 'vis_data')
    for name in ('scalars.json', osp.basename(stamp_dir) + '.json'):
        if osp.isfile(osp.join(vis, name)):
            return osp.join(vis, name)
    return None


def _read_curve(path: str, metric: str) -> Dict[int, float]:
    """epoch → metric of the validation lines of one ``scalars.json``."""
    curve: Dict[int, float] = {}
    with open(path, encoding='utf-8') as f:
        for number, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                entry = json.loads(line)
            except ValueError:
                # a run killed while writing leaves a torn last line
                continue
            if not isinstance(entry, dict) or metric not in entry:
                continue
            step = entry.get('step')
            if not isinstance(step, int) or isinstance(step, bool):
                raise ValueError(f'{path}:{number}: a validation line '
                                 f'without an integer "step": {line}')
            if step < 1:  # validation outside training (epoch 0)
                continue
            curve[step] = float(entry[metric])
    return curve


def _config_name(work_dir: str, marker_config: Optional[str]) -> str:
    dumped = sorted(glob.glob(osp.join(work_dir, '*.py')))
    if len(dumped) == 1:
        return osp.splitext(osp.basename(dumped[0]))[0]
    if marker_config:
        return osp.splitext(osp.basename(marker_config))[0]
    parent, base = osp.split(osp.normpath(work_dir))
    if _SEED_DIR.match(base):
        return osp.basename(parent)
    if dumped:
        raise ValueError(f'{work_dir}: several configs '
                         f'({[osp.basename(p) for p in dumped]}) — which run '
                         'is this? Keep one run per work dir')
    return base


def read_run(work_dir: str, metric: str = METRIC) -> RunLog:
    """Read one work dir (see the module for what is read).

    Raises:
        ValueError: no mmengine log folder, a malformed validation line, or
            a run that is not epoch-based.
    """
    stamps = sorted(
        osp.join(work_dir, d) for d in os.listdir(work_dir)
        if _is_timestamp_dir(osp.join(work_dir, d)))
    if not stamps:
        raise ValueError(f'{work_dir}: no <timestamp>/ log folder of '
                         'mmengine')
    curve: Dict[int, float] = {}
    for stamp in stamps:  # in time order: a later start wins an epoch
        scalars = _scalars_file(stamp)
        if scalars is not None:
            curve.update(_read_curve(scalars, metric))
    cfg: Dict[str, Any] = {}
    for stamp in reversed(stamps):
        if osp.isfile(osp.join(stamp, 'vis_data', 'config.py')):
            cfg = read_config(osp.join(stamp, 'vis_data', 'config.py'))
            break
    marker: Dict[str, Any] = {}
    if osp.isfile(osp.join(work_dir, 'sweep_finished.json')):
        try:
            with open(osp.join(work_dir, 'sweep_finished.json')) as f:
                marker = json.load(f)
        except ValueError:
            marker = {}
    name = _config_name(work_dir, marker.get('config'))
    if not cfg and osp.isfile(osp.join(work_dir, name + '.py')):
        cfg = read_config(osp.join(work_dir, name + '.py'))
    train_cfg = cfg.get('train_cfg') or {}
    max_epochs = train_cfg.get('max_epochs')
    if train_cfg and max_epochs is None:
        raise ValueError(f'{work_dir}: train_cfg {train_cfg} has no '
                         'max_epochs; only epoch-based runs are summarized')
    seed = (cfg.get('randomness') or {}).get('seed')
    if seed is None:
        match = _SEED_DIR.match(osp.basename(osp.normpath(work_dir)))
        seed = int(match.group(1)) if match else marker.get('seed')
    return RunLog(
        work_dir=work_dir,
        config=name,
        seed=seed,
        max_epochs=max_epochs,
        curve=dict(sorted(curve.items())),
        starts=len(stamps))


def summarize(
    runs: Sequence[RunLog],
    published: Optional[Dict[str,
                             PublishedResult]] = None) -> List[ConfigSummary]:
    """Group runs by config (configs sorted by name, runs by seed)."""
    groups: Dict[str, List[RunLog]] = {}
    for run in runs:
        groups.setdefault(run.config, []).append(run)
    published = published or {}
    return [
        ConfigSummary(
            config,
            sorted(
                groups[config],
                key=lambda r: (r.seed is None, r.seed or 0, r.work_dir)),
            published.get(config)) for config in sorted(groups)
    ]


def _num(value: Optional[float], sign: bool = False) -> str:
    if value is None:
        return '–'
    return f'{value:+.2f}' if sign else f'{value:.2f}'


def _mean_std(mean: Optional[float], std: Optional[float]) -> str:
    if mean is None:
        return '–'
    return f'{mean:.2f} ± {_num(std)}'


def _published(entry: Optional[PublishedResult]) -> str:
    if entry is None or entry.top1 is None:
        return '–'
    marks = [entry.source_key or '?']
    if entry.verified is False:
        marks.append('unverified')
    if entry.remark:
        marks.append(entry.remark)
    return f'{entry.top1:.2f} ({", ".join(marks)})'


def _seed_name(run: RunLog) -> str:
    return f'seed{run.seed}' if run.seed is not None else \
        osp.basename(osp.normpath(run.work_dir))


def markdown_report(summaries: Sequence[ConfigSummary]) -> str:
    """The summary table, the runs, incomplete ones flagged, and the
    sources of the published numbers."""
    lines = [
        '| config | runs (complete / all) | best top-1 (epoch) per run '
        '| last top-1 per run | best: mean ± std | last: mean ± std '
        '| published | last − published | best − published |',
        '|---|---|---|---|---|---|---|---|---|',
    ]
    for s in summaries:
        best = ', '.join(
            f'{_num(r.best[0])} ({r.best[1]})' if r.
            complete else f'*{_num(r.best[0])} ({r.best[1]}), incomplete*'
            for r in s.runs)
        last = ', '.join(
            _num(r.last_top1) if r.
            complete else f'*{_num(r.last_top1)}, incomplete*' for r in s.runs)
        lines.append(
            f'| {s.config} | {len(s.complete)} / {len(s.runs)} | {best} '
            f'| {last} | {_mean_std(s.best_mean, s.best_std)} '
            f'| {_mean_std(s.last_mean, s.last_std)} '
            f'| {_published(s.published)} | {_num(s.gap_last, True)} '
            f'| {_num(s.gap_best, True)} |')
    lines += [
        '',
        'Top-1 of the student on the validation set (%). Means and sample '
        'standard deviations (n − 1; – for a single run) are over the '
        'complete runs only; best = the highest validated top-1 (its '
        'epoch), last = the top-1 at the final epoch.',
        '',
        '| config | run | seed | epochs validated | best top-1 (epoch) '
        '| last top-1 | status |',
        '|---|---|---|---|---|---|---|',
    ]
    for s in summaries:
        for r in s.runs:
            lines.append(f'| {s.config} | {r.work_dir} | '
                         f'{"–" if r.seed is None else r.seed} | '
                         f'{r.last_epoch or 0} / {r.max_epochs or "?"} | '
                         f'{_num(r.best[0])} ({r.best[1] or "–"}) | '
                         f'{_num(r.last_top1)} | {r.status} |')
    sources = {(s.published.source_key, s.published.source)
               for s in summaries
               if s.published is not None and s.published.top1 is not None}
    if sources:
        lines += [
            '', 'Published numbers: ' +
            '; '.join(f'({k}) {src}' for k, src in sorted(sources, key=str)) +
            '; unverified = read from a secondary copy of the paper.'
        ]
    incomplete = [r for s in summaries for r in s.incomplete]
    if incomplete:
        lines += [
            '', f'**{len(incomplete)} incomplete run(s), not in the '
            'means:**', ''
        ]
        lines += [
            f'* {r.label} ({r.work_dir}): {r.status}' for r in incomplete
        ]
    return '\n'.join(lines) + '\n'


_CONFIG_FIELDS = [
    'config', 'method', 'dataset', 'pair', 'runs', 'complete_runs',
    'incomplete_runs', 'best_mean', 'best_std', 'last_mean', 'last_std',
    'published_top1', 'published_source', 'published_source_key',
    'published_verified', 'gap_last', 'gap_best'
]
_RUN_FIELDS = [
    'config', 'work_dir', 'seed', 'status', 'complete', 'last_epoch',
    'max_epochs', 'best_top1', 'best_epoch', 'last_top1', 'starts'
]


def _csv_value(value: Any) -> Any:
    if value is None:
        return ''
    if isinstance(value, float):
        return f'{value:.4f}'
    return value


def write_csvs(summaries: Sequence[ConfigSummary], out_dir: str) -> List[str]:
    """``summary.csv`` (one row per config) and ``runs.csv`` (one row per
    run); empty cells where a value is undefined."""
    os.makedirs(out_dir, exist_ok=True)
    summary_csv = osp.join(out_dir, 'summary.csv')
    with open(summary_csv, 'w', newline='') as f:
        writer = csv.DictWriter(f, _CONFIG_FIELDS)
        writer.writeheader()
        for s in summaries:
            p = s.published
            row = dict(
                config=s.config,
                method=p.method if p else None,
                dataset=p.dataset if p else None,
                pair=p.pair if p else None,
                runs=len(s.runs),
                complete_runs=len(s.complete),
                incomplete_runs=' '.join(r.work_dir for r in s.incomplete),
                best_mean=s.best_mean,
                best_std=s.best_std,
                last_mean=s.last_mean,
                last_std=s.last_std,
                published_top1=p.top1 if p else None,
                published_source=p.source if p else None,
                published_source_key=p.source_key if p else None,
                published_verified=p.verified
                if p and p.top1 is not None else None,
                gap_last=s.gap_last,
                gap_best=s.gap_best)
            writer.writerow({k: _csv_value(v) for k, v in row.items()})
    runs_csv = osp.join(out_dir, 'runs.csv')
    with open(runs_csv, 'w', newline='') as f:
        writer = csv.DictWriter(f, _RUN_FIELDS)
        writer.writeheader()
        for s in summaries:
            for r in s.runs:
                row = dict(
                    config=s.config,
                    work_dir=r.work_dir,
                    seed=r.seed,
                    status=r.status,
                    complete=r.complete,
                    last_epoch=r.last_epoch,
                    max_epochs=r.max_epochs,
                    best_top1=r.best[0],
                    best_epoch=r.best[1],
                    last_top1=r.last_top1,
                    starts=r.starts)
                writer.writerow({k: _csv_value(v) for k, v in row.items()})
    return [summary_csv, runs_csv]


def plot_curves(summaries: Sequence[ConfigSummary], out_dir: str) -> List[str]:
    """One PNG per method, ``curves_<method>.png``: the validation top-1 of
    every run (incomplete runs dashed) and the published numbers
    (dotted)."""
    import matplotlib
    matplotlib.use('Agg', force=True)
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator
    by_method: Dict[str, List[ConfigSummary]] = {}
    for s in summaries:
        by_method.setdefault(s.method, []).append(s)
    os.makedirs(out_dir, exist_ok=True)
    paths = []
    for method, group in by_method.items():
        fig, ax = plt.subplots(figsize=(7, 4.5))
        colors = plt.rcParams['axes.prop_cycle'].by_key()['color']
        k = 0
        for s in group:
            for r in s.runs:
                if not r.curve:
                    continue
                ax.plot(
                    list(r.curve),
                    list(r.curve.values()),
                    color=colors[k % len(colors)],
                    linestyle='-' if r.complete else '--',
                    marker='.' if len(r.curve) < 30 else None,
                    label=r.label + ('' if r.complete else ' (incomplete)'))
                k += 1
            if s.published is not None and s.published.top1 is not None:
                ax.axhline(
                    s.published.top1,
                    color='grey',
                    linestyle=':',
                    label=f'{s.config} published '
                    f'{_published(s.published)}')
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel('epoch')
        ax.set_ylabel('validation top-1 (%)')
        ax.set_title(f'{method}: validation top-1 of the student')
        ax.grid(alpha=0.3)
        ax.legend(fontsize='small')
        safe = re.sub(r'[^\w.-]+', '_', method)
        path = osp.join(out_dir, f'curves_{safe}.png')
        fig.savefig(path, format='png', bbox_inches='tight', dpi=120)
        plt.close(fig)
        paths.append(path)
    return paths


def summarize_runs(paths: Sequence[str],
                   out_dir: str,
                   published: Optional[Dict[str, PublishedResult]] = None,
                   metric: str = METRIC) -> Dict[str, Any]:
    """Find, read and summarize every run under ``paths``; write
    ``summary.md``, ``summary.csv``, ``runs.csv`` and the PNGs into
    ``out_dir``.

    Returns:
        dict: ``summaries`` (:class:`ConfigSummary` list), ``markdown``
        and ``files`` (the written paths).

    Raises:
        ValueError: no run found under ``paths``.
    """
    work_dirs = find_work_dirs(paths)
    if not work_dirs:
        raise ValueError(f'no mmengine run (a <timestamp>/ log folder) '
                         f'under {list(paths)}')
    summaries = summarize([read_run(w, metric) for w in work_dirs], published)
    markdown = markdown_report(summaries)
    os.makedirs(out_dir, exist_ok=True)
    md = osp.join(out_dir, 'summary.md')
    with open(md, 'w', encoding='utf-8') as f:
        f.write(markdown)
    files = [md] + write_csvs(summaries, out_dir) + plot_curves(
        summaries, out_dir)
    return dict(summaries=summaries, markdown=markdown, files=files)
