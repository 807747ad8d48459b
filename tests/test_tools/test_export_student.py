"""tools/export_student.py and tools/fold_serial_head.py as a user runs
them. (What they write: tests/test_apis/test_student_*.py.)"""
import pytest
import torch

from tests.helpers.distill_runs import distill_run
from tests.helpers.training import run_tool

pytestmark = pytest.mark.slow


@pytest.fixture(scope='module')
def aekt(tmp_path_factory):
    return distill_run('aekt', tmp_path_factory.getbasetemp())


def test_export_then_fold_from_the_command_line(aekt, tmp_path):
    out = tmp_path / 'student.pth'
    proc = run_tool('export_student.py', aekt['checkpoint'], out)
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert f'student (SerialClsHead): {out}' in proc.stdout
    assert f"student config: {out.with_suffix('.py')}" in proc.stdout
    kept = torch.load(out, weights_only=True)['state_dict']
    assert 'head.ser.weight' in kept

    folded = tmp_path / 'folded.pth'
    proc = run_tool('fold_serial_head.py', out, folded, '--config',
                    aekt['config'])
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert f'folded the SerialClsHead (1000 classes): {folded}' in \
        proc.stdout
    assert folded.with_suffix('.py').exists()
    sd = torch.load(folded, weights_only=True)['state_dict']
    assert 'head.ser.weight' not in sd and sd['head.fc.weight'].shape == (1000,
                                                                          512)


def test_errors_are_one_line_and_exit_1(aekt, tmp_path):
    plain = tmp_path / 'plain.pth'
    torch.save({'state_dict': {'head.fc.weight': torch.zeros(3, 2)}}, plain)
    proc = run_tool('fold_serial_head.py', plain, tmp_path / 'x.pth')
    assert proc.returncode == 1 and 'Traceback' not in proc.stdout
    assert 'fold_serial_head: error: ' in proc.stdout
    assert 'not a student with a SerialClsHead' in proc.stdout
    proc = run_tool('export_student.py', tmp_path / 'missing.pth',
                    tmp_path / 'x.pth')
    assert proc.returncode == 1 and 'Traceback' not in proc.stdout
    assert 'export_student: error: ' in proc.stdout
    assert 'missing.pth' in proc.stdout
    assert not (tmp_path / 'x.pth').exists()
