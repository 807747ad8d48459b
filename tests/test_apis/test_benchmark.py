"""mmkd_logits.apis.benchmark: the entries, the memory count and the table
of a quick run. (The command line: tests/test_tools/test_benchmark_losses.py.)
"""
import pytest
import torch

from mmkd_logits.apis import benchmark


def test_entries_cover_the_losses():
    names = [e.name for e in benchmark.ENTRIES]
    assert names[0] == benchmark.BASELINE == 'KD'
    assert {'KD', 'DKD', 'RLD', 'LDRLD', 'AEKT', 'SDD-DKD'} <= set(names)
    assert [(b, c) for _, b, c in benchmark.SHAPES] == [(64, 100), (256, 1000),
                                                        (512, 1000)]


def test_select_entries_keeps_the_baseline():
    assert [e.name
            for e in benchmark.select_entries(['LDRLD'])] == ['KD', 'LDRLD']
    assert benchmark.select_entries(None) == benchmark.ENTRIES
    with pytest.raises(ValueError, match=r"unknown losses \['XYZ'\]"):
        benchmark.select_entries(['XYZ'])


def test_quick_run_makes_the_markdown_table():
    device = torch.device('cpu')
    entries = benchmark.select_entries(['LDRLD'])
    results = benchmark.run(device, entries, benchmark.QUICK_SHAPES, 1, 2)
    assert len(results) == 2 * len(entries)
    for row in results:
        assert row['ms'] > 0 and row['bytes'] > 0
        if row['loss'] == 'KD':
            assert row['time_ratio'] == row['mem_ratio'] == 1.0
    lines = benchmark.to_markdown(results, device).splitlines()
    assert lines[0].startswith('| loss |') and len(lines) == 2 + 4
    assert lines[2].startswith('| KD | CIFAR-100 8×100 | cpu |')


def test_cpu_memory_counts_saved_tensors():

    class Square(torch.nn.Module):

        def forward(self, s):
            return (s * s).sum()

    x = torch.zeros(10, 25)  # 1000 bytes saved (s, twice: one storage)
    assert benchmark.memory_entry(Square(), (x, ), torch.device('cpu')) == 1000
