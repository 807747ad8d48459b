"""tools/convert_mdistiller_ckpt.py as a user runs it: a CRD checkpoint
becomes a strict-loading mmengine checkpoint; a checkpoint of another
network, or one that needs full unpickling, is refused with a message and
exit status 1 (no traceback) unless trusted with --trust-checkpoint.
(The conversion itself: tests/test_apis/test_convert_mdistiller.py.)"""
import argparse

import pytest
import torch

from tests.helpers.cifar_zoo import (build_zoo_model, load_zoo_layout,
                                     random_original_state_dict,
                                     ref_cifar_resnet)
from tests.helpers.training import run_tool

pytestmark = pytest.mark.slow


def _crd(arch: str, **extra) -> dict:
    """What CRD's train_teacher.py saves (``ckpt_epoch_240.pth``)."""
    return dict(
        model=random_original_state_dict(
            load_zoo_layout()[arch]['state_dict'], seed=0),
        epoch=240,
        accuracy=torch.tensor(72.5),
        **extra)


def test_cli_converts_a_crd_checkpoint(tmp_path):
    ckpt = _crd('resnet8x4')
    src = tmp_path / 'resnet8x4_vanilla' / 'ckpt_epoch_240.pth'
    src.parent.mkdir()
    torch.save(ckpt, src)
    dst = tmp_path / 'out' / 'resnet8x4.pth'
    proc = run_tool('convert_mdistiller_ckpt.py', 'resnet8x4', src, dst)
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert 'converted resnet8x4' in proc.stdout

    converted = torch.load(dst, map_location='cpu', weights_only=True)
    assert converted['meta']['source']['epoch'] == 240
    from mmengine.runner import load_checkpoint
    model = build_zoo_model('resnet8x4')
    load_checkpoint(model, str(dst), map_location='cpu', strict=True)
    x = torch.randn(2, 3, 32, 32, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        torch.testing.assert_close(
            model(x, mode='tensor'),
            ref_cifar_resnet(ckpt['model'], x),
            rtol=1e-4,
            atol=1e-5)


def test_cli_refuses_another_architecture(tmp_path):
    src = tmp_path / 'resnet20.pth'
    torch.save(_crd('resnet20'), src)
    dst = tmp_path / 'resnet8.pth'
    proc = run_tool('convert_mdistiller_ckpt.py', 'resnet8', src, dst)
    assert proc.returncode == 1
    assert 'convert_mdistiller_ckpt: error: ' in proc.stdout
    assert 'does not fit resnet8' in proc.stdout
    assert 'layer1.1.conv1.weight [16, 16, 3, 3]' in proc.stdout
    assert 'Traceback' not in proc.stdout
    assert not dst.exists() and not list(tmp_path.glob('.*.tmp'))


def test_cli_trust_checkpoint(tmp_path):
    """CRD's ``<arch>_last.pth`` holds its argparse options under 'opt':
    refused, then converted with --trust-checkpoint (the same option, with
    the same meaning, as every tool)."""
    src = tmp_path / 'resnet8_last.pth'
    torch.save(_crd('resnet8', opt=argparse.Namespace(lr=0.05)), src)
    dst = tmp_path / 'resnet8.pth'
    proc = run_tool(
        'convert_mdistiller_ckpt.py',
        'resnet8',
        src,
        dst,
        env={'MMKD_TRUST_CHECKPOINTS': ''})
    assert proc.returncode == 1 and 'Traceback' not in proc.stdout
    assert f'--trust-checkpoint {src}' in proc.stdout
    assert not dst.exists()
    proc = run_tool(
        'convert_mdistiller_ckpt.py',
        'resnet8',
        src,
        dst,
        '--trust-checkpoint',
        src,
        env={'MMKD_TRUST_CHECKPOINTS': ''})
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert torch.load(dst, weights_only=True)['meta']['arch'] == 'resnet8'
