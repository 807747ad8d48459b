"""tools/benchmark_losses.py: the quick smoke run and the table layout."""
import sys

from tests.helpers.training import TOOLS


def _load():
    sys.path.insert(0, str(TOOLS))
    try:
        import benchmark_losses
    finally:
        sys.path.remove(str(TOOLS))
    return benchmark_losses


def test_entries_cover_the_losses():
    bench = _load()
    names = [e.name for e in bench.ENTRIES]
    assert names[0] == bench.BASELINE == 'KD'
    assert {'KD', 'DKD', 'RLD', 'LDRLD'} <= set(names)
    assert [(b, c) for _, b, c in bench.SHAPES] == [(64, 100), (256, 1000),
                                                    (512, 1000)]


def test_quick_run_prints_markdown_table(capsys):
    bench = _load()
    assert bench.main(['--quick', '--device', 'cpu']) == 0
    out = capsys.readouterr().out
    rows = [line for line in out.splitlines() if line.startswith('| ')]
    assert rows[0].startswith('| loss |')
    body = rows[1:]
    assert len(body) == 2 * len(bench.ENTRIES)
    kd_rows = [r for r in body if r.startswith('| KD |')]
    assert all('| 1.00 |' in r for r in kd_rows)
    for row in body:
        cells = [c.strip() for c in row.strip('|').split('|')]
        assert float(cells[3]) > 0 and float(cells[5]) > 0


def test_cpu_memory_counts_saved_tensors():
    import torch
    bench = _load()

    class Square(torch.nn.Module):

        def forward(self, s):
            return (s * s).sum()

    x = torch.zeros(10, 25)  # 1000 bytes saved (s, twice: one storage)
    assert bench.memory_entry(Square(), (x, ), torch.device('cpu')) == 1000
