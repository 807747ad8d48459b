"""mmkd_logits.apis.cli: the options every tool shares, and how a tool
reports an error."""
import argparse
import pickle

import pytest

from mmkd_logits.apis import cli
from mmkd_logits.compat import checkpoint
from tests.helpers.training import CONFIGS


def test_parse_trusts_the_listed_files_and_sets_the_local_rank(
        tmp_path, monkeypatch):
    monkeypatch.delenv('LOCAL_RANK', raising=False)
    monkeypatch.delenv(checkpoint.TRUST_ENV, raising=False)
    parser = argparse.ArgumentParser()
    cli.add_trust_argument(parser)
    cli.add_launcher_arguments(parser)
    target = tmp_path / 'a.pth'
    try:
        args = cli.parse(
            parser, ['--trust-checkpoint',
                     str(target), '--local-rank', '3'])
        assert checkpoint.is_trusted(str(target))
        assert not checkpoint.is_trusted(str(tmp_path / 'b.pth'))
    finally:
        checkpoint.reset_trust()
    assert args.launcher == 'none' and args.local_rank == 3
    import os
    assert os.environ['LOCAL_RANK'] == '3'


def test_cfg_options_and_load_config():
    parser = argparse.ArgumentParser()
    cli.add_cfg_options_argument(parser)
    args = parser.parse_args(
        ['--cfg-options', 'train_cfg.max_epochs=3', 'model.teacher_ckpt=x'])
    cfg = cli.load_config(
        str(CONFIGS / 'kd_r34_r18_imagenet.py'), args.cfg_options)
    assert cfg.train_cfg.max_epochs == 3 and cfg.model.teacher_ckpt == 'x'


def test_run_reports_errors_without_a_traceback(capsys):
    reported = []
    assert cli.run('tool', reported.append, lambda x: x * 2, 21) == 0
    assert reported == [42]

    def fails(error):
        raise error

    for error in (ValueError('bad value'), FileNotFoundError('no file'),
                  pickle.UnpicklingError('refused')):
        assert cli.run('tool', reported.append, fails, error) == 1
        assert capsys.readouterr().err == f'tool: error: {error}\n'
    from mmkd_logits.apis.convert_mdistiller import ConversionError
    assert cli.run('tool', print, fails, ConversionError('does not fit')) == 1
    # anything else is a bug: it propagates
    with pytest.raises(RuntimeError, match='upstream'):
        cli.run('tool', print, fails, RuntimeError('upstream'))
    with pytest.raises(TypeError):
        cli.run('tool', print, fails, TypeError('bug'))
