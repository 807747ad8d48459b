"""The example code of ``docs/new_loss.md`` runs, so the page cannot rot.

Every fenced block whose info string is exactly ``python`` is executed, in
order, in one namespace (``py`` blocks are config files shown for reading).
"""
import re

import torch

import mmkd_logits  # noqa: F401
from mmrazor.registry import MODELS
from tests.helpers.training import REPO_ROOT

DOC = REPO_ROOT / 'docs' / 'new_loss.md'
BLOCK = re.compile(r'^```python\n(.*?)^```', re.S | re.M)


def _run_doc() -> dict:
    blocks = BLOCK.findall(DOC.read_text(encoding='utf-8'))
    assert len(blocks) >= 3, 'the page lost its example code'
    # the example registers a loss: allow the module to be executed again
    MODELS._module_dict.pop('TopKKDLoss', None)
    namespace: dict = {'__name__': 'new_loss_doc'}
    for i, code in enumerate(blocks):
        exec(compile(code, f'{DOC}:block{i}', 'exec'), namespace)
    return namespace


def test_doc_example_runs_and_the_loss_is_usable():
    ns = _run_doc()
    loss_cls = MODELS.get('TopKKDLoss')
    assert loss_cls is ns['TopKKDLoss']

    # the loss of the page fits the package's conventions
    loss = loss_cls(tau=1.0, k=2, alpha=2.0, beta=0.5, loss_weight=0.5,
                    reduction='none')
    zs = torch.randn(6, 7, dtype=torch.float64)
    zt = torch.randn(6, 7, dtype=torch.float64)
    per_sample = loss(zs, zt)
    assert per_sample.shape == (6, ) and (per_sample >= 0).all()
    torch.testing.assert_close(sum(loss.last_terms.values()),
                               per_sample.mean())
    # equal student and teacher: nothing to distil
    assert float(loss(zt, zt).abs().max()) < 1e-12

    # the config snippet wires into mmrazor's ConfigurableDistiller
    distiller = MODELS.build(dict(
        type='ConfigurableDistiller',
        student_recorders=dict(fc=dict(type='ModuleOutputs',
                                       source='head.fc')),
        teacher_recorders=dict(fc=dict(type='ModuleOutputs',
                                       source='head.fc')),
        distill_losses=ns['distill_losses'],
        loss_forward_mappings=ns['loss_forward_mappings']))
    assert type(distiller.distill_losses['loss_topk']).__name__ == \
        'TopKKDLoss'
