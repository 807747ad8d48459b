"""mmkd_logits.apis.checkpoint_io: the one trust option, loading, plain
metadata and atomic saving."""
import argparse
import os

import numpy as np
import pytest
import torch

from mmkd_logits.apis import checkpoint_io as io
from mmkd_logits.compat import UntrustedCheckpointError, checkpoint


@pytest.fixture(autouse=True)
def _no_trust(monkeypatch):
    monkeypatch.delenv(checkpoint.TRUST_ENV, raising=False)
    checkpoint.reset_trust()
    yield
    checkpoint.reset_trust()


def test_trust_argument_is_a_repeatable_path():
    parser = argparse.ArgumentParser()
    io.add_trust_argument(parser)
    assert parser.parse_args([]).trust_checkpoint == []
    args = parser.parse_args(
        ['--trust-checkpoint', 'a.pth', '--trust-checkpoint', 'b.pth'])
    assert args.trust_checkpoint == ['a.pth', 'b.pth']
    assert 'weights_only=True' in io.TRUST_HELP


def test_load_refuses_pickles_until_the_file_is_trusted(tmp_path):
    path = tmp_path / 'pickled.pth'
    torch.save(
        {
            'state_dict': {
                'w': torch.ones(1)
            },
            'meta': argparse.Namespace(epoch=3)
        }, path)
    with pytest.raises(
            UntrustedCheckpointError, match=f'--trust-checkpoint {path}'):
        io.load_checkpoint_file(str(path))
    io.trust_checkpoints([str(tmp_path / 'other.pth')])
    with pytest.raises(UntrustedCheckpointError):
        io.load_checkpoint_file(str(path))  # only the listed files
    io.trust_checkpoints([str(path)])
    assert io.load_checkpoint_file(str(path))['meta'].epoch == 3
    with pytest.raises(FileNotFoundError, match='missing.pth'):
        io.load_checkpoint_file(str(tmp_path / 'missing.pth'))


def test_split_checkpoint():
    sd = {'w': torch.ones(1)}
    assert io.split_checkpoint({
        'state_dict': sd,
        'meta': {
            'a': 1
        }
    }) == (sd, {
        'a': 1
    })
    assert io.split_checkpoint(sd) == (sd, {})
    with pytest.raises(ValueError, match='x.pth: not a checkpoint'):
        io.split_checkpoint([1, 2], 'x.pth')


def test_plain_meta_keeps_only_plain_data():
    meta = dict(
        epoch=np.int64(3),
        lr=np.float32(0.5),
        name='run',
        ok=True,
        none=None,
        hist=np.arange(3),
        obj=object(),
        nested=dict(classes=['a', 'b'], bad=[1, object()]),
        pair=(1, 2),
        **{'1': 'one'})
    out = io.plain_meta(meta)
    assert out == dict(
        epoch=3,
        lr=0.5,
        name='run',
        ok=True,
        none=None,
        nested=dict(classes=['a', 'b']),
        pair=[1, 2],
        **{'1': 'one'})
    assert type(out['epoch']) is int and type(out['lr']) is float
    assert io.plain_meta({3: 'non-str key'}) == {}


def test_save_checkpoint_is_atomic_and_weights_only(tmp_path):
    dst = tmp_path / 'sub' / 'ckpt.pth'
    written = io.save_checkpoint({'w': torch.ones(2)}, {'epoch': 1}, dst)
    assert written == str(dst)
    loaded = torch.load(dst, weights_only=True)
    assert torch.equal(loaded['state_dict']['w'], torch.ones(2))
    assert loaded['meta'] == {'epoch': 1}
    assert os.listdir(dst.parent) == ['ckpt.pth']  # no temporary file left
