"""Test-session setup: make ``tests.helpers`` importable from any test."""
import os.path as osp
import sys

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
if REPO_ROOT not in sys.path:
    sys.path.insert(0, REPO_ROOT)

import pytest  # noqa: E402

# the plugin first, once for the session: it makes mmrazor importable on
# torch >= 2 (mmkd_logits.compat), so test modules may import mmrazor in any
# (isort's) order
import mmkd_logits  # noqa: E402,F401


@pytest.fixture(autouse=True)
def _fresh_default_scope():
    """An mmengine Runner leaves its default scope (``mmpretrain``) behind;
    later ``mmrazor`` registry builds would then look in the wrong registry.
    Every test starts without a default scope, as a fresh process does."""
    from mmengine.registry import DefaultScope
    DefaultScope._instance_dict.clear()
    yield


@pytest.fixture(scope='module')
def one_thread():
    """Run a test module on one torch thread (``pytestmark =
    pytest.mark.usefixtures('one_thread')``): tiny tensors gain nothing from
    intra-op threads, and on a busy 2-core machine every op waits for the
    second thread (several to 100 times slower)."""
    import torch
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
