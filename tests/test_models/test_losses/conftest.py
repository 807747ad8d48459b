"""Fixtures shared by the loss tests."""
import pytest
import torch


@pytest.fixture(scope='module')
def one_thread():
    """Run a module on one torch thread: tiny tensors gain nothing from
    intra-op threads, and on a busy machine every op waits for a second
    thread (10-100x slower)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
