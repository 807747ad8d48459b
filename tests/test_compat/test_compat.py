"""The compatibility layer: stack checks, mmrazor on torch 2.x, checkpoint
safety, atomic writes."""
import os
import sys

import pytest
import torch

import mmkd_logits
from mmkd_logits import compat
from mmkd_logits.compat import checkpoint as ckpt_mod
from mmkd_logits.compat import fileio, stack


def test_mmrazor_distillation_imports_and_quantization_fails_clearly():
    from mmrazor.registry import MODELS
    assert MODELS.get('SingleTeacherDistill') is not None
    assert MODELS.get('DKDLoss') is not None
    module = sys.modules['mmrazor.structures.quantization.backend_config']
    # the declared stack (mmrazor==1.0.0, torch>=2.0) always needs it
    assert getattr(
        module, 'MMKD_STAND_IN',
        False), ('mmrazor 1.0.0 quantization imported on torch '
                 f'{torch.__version__}: the stand-in was not needed here')
    assert compat.applied['mmrazor_quantization_stand_in'] is True
    from mmkd_logits.compat.mmrazor_quantization import QuantizationUnavailable
    with pytest.raises(QuantizationUnavailable, match='#615'):
        module.BackendConfigs['native']
    with pytest.raises(QuantizationUnavailable):
        module.get_native_backend_config()


def test_apply_is_idempotent():
    assert compat.apply() is compat.applied
    assert mmkd_logits.__version__


@pytest.mark.parametrize('mmcv', ['2.2.0', ''])
def test_stack_check_names_bad_mmcv(monkeypatch, mmcv):
    monkeypatch.setattr(stack, 'mmcv_version', lambda: mmcv)
    with pytest.raises(stack.StackError, match='mmcv-lite==2.1.0'):
        stack.check_stack()


def test_stack_check_names_missing_package(monkeypatch):
    real = stack._installed_version
    monkeypatch.setattr(stack, '_installed_version', lambda d: ''
                        if d == 'mmrazor' else real(d))
    with pytest.raises(stack.StackError, match='mmrazor is not installed'):
        stack.check_stack()


def test_torchvision_mismatch_gets_install_advice(monkeypatch):
    monkeypatch.setitem(sys.modules, 'torchvision', None)  # import fails
    with pytest.raises(stack.StackError) as err:
        stack.check_torchvision()
    assert 'does not match torch' in str(err.value)
    assert 'pip install torch torchvision' in str(err.value)


def test_version_parsing():
    assert stack._vtuple('2.1.0rc1+cu121') == (2, 1, 0)
    assert stack._vtuple('0.10.7') == (0, 10, 7)
    assert stack._vtuple('2.15.0+cu132') > stack._vtuple('2.0.0')


class _Exploit:
    """Unpickling this runs a command: the classic malicious checkpoint."""

    def __reduce__(self):
        return (os.system, ('touch /tmp/mmkd_pwned_$PPID', ))


@pytest.fixture
def malicious(tmp_path):
    path = tmp_path / 'evil.pth'
    torch.save({'state_dict': {'w': torch.zeros(1)}, 'x': _Exploit()}, path)
    yield path
    ckpt_mod.reset_trust()


def test_untrusted_pickle_is_refused(malicious, tmp_path):
    from mmengine.runner.checkpoint import _load_checkpoint
    marker = f'/tmp/mmkd_pwned_{os.getpid()}'
    with pytest.raises(ckpt_mod.UntrustedCheckpointError) as err:
        _load_checkpoint(str(malicious))
    assert '--trust-checkpoint' in str(err.value)
    assert 'MMKD_TRUST_CHECKPOINTS' in str(err.value)
    assert not os.path.exists(marker)


def test_trusted_file_loads_fully(tmp_path):
    path = tmp_path / 'legacy.pth'
    torch.save({'state_dict': {'w': torch.ones(1)}, 'obj': _Plain(3)}, path)
    with pytest.raises(ckpt_mod.UntrustedCheckpointError):
        ckpt_mod.load(str(path))
    compat.trust_file(str(path))
    try:
        loaded = ckpt_mod.load(str(path))
        assert loaded['obj'].value == 3
    finally:
        ckpt_mod.reset_trust()


def test_trusted_directory_covers_files_below_it(tmp_path):
    compat.trust_directory(str(tmp_path))
    try:
        assert compat.is_trusted(str(tmp_path / 'a' / 'epoch_1.pth'))
        assert not compat.is_trusted(str(tmp_path.parent / 'other.pth'))
    finally:
        ckpt_mod.reset_trust()


def test_env_var_opt_in(monkeypatch, tmp_path):
    monkeypatch.setenv(ckpt_mod.TRUST_ENV, '1')
    assert compat.is_trusted(str(tmp_path / 'x.pth'))


class _Plain:

    def __init__(self, value):
        self.value = value


def test_atomic_write_keeps_old_file_on_failure(tmp_path, monkeypatch):
    target = tmp_path / 'ckpt.pth'
    fileio.atomic_write_bytes(b'old', target)

    def boom(fd):
        raise OSError('disk full')

    monkeypatch.setattr(os, 'fsync', boom)
    with pytest.raises(OSError, match='disk full'):
        fileio.atomic_write_bytes(b'new-and-longer', target)
    assert target.read_bytes() == b'old'
    assert [p.name for p in tmp_path.iterdir()] == ['ckpt.pth']


def test_atomic_backend_is_registered_for_configs(tmp_path):
    from mmengine.fileio import get_file_backend
    backend = get_file_backend(
        str(tmp_path), backend_args=dict(backend='atomic_local'))
    assert isinstance(backend, fileio.AtomicLocalBackend)
    backend.put_text('epoch_3.pth', tmp_path / 'last_checkpoint')
    assert (tmp_path / 'last_checkpoint').read_text() == 'epoch_3.pth'


def test_atomic_write_gives_normal_permissions(tmp_path):
    old = os.umask(0o022)
    try:
        fileio.atomic_write_bytes(b'x', tmp_path / 'ckpt.pth')
    finally:
        os.umask(old)
    # like open(): 0666 minus the umask (mkstemp would give 0600)
    assert (tmp_path / 'ckpt.pth').stat().st_mode & 0o777 == 0o644


def test_stale_temp_files_of_killed_writers_are_removed(tmp_path):
    import subprocess
    import sys
    dead = subprocess.Popen([sys.executable, '-c', 'pass'])
    dead.wait()
    stale = tmp_path / f'.epoch_2.pth.{dead.pid}.0123abcd.tmp'
    other = tmp_path / f'.epoch_3.pth.{dead.pid}.0123abcd.tmp'
    live = tmp_path / f'.epoch_2.pth.{os.getpid()}.0123abcd.tmp'
    unrelated = tmp_path / '.notes.tmp'
    for p in (stale, other, live, unrelated):
        p.write_bytes(b'partial')
    # writing epoch_2.pth removes only its own dead writers' leftovers
    fileio.atomic_write_bytes(b'new', tmp_path / 'epoch_2.pth')
    assert not stale.exists() and other.exists() and live.exists()
    assert (tmp_path / 'epoch_2.pth').read_bytes() == b'new'
    # a sweep of the folder (tools/train.py at start-up) removes the rest
    assert fileio.remove_stale_temp_files(tmp_path) == [str(other)]
    assert live.exists() and unrelated.exists()
