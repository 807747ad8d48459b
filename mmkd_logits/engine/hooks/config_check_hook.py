"""Check a distillation model's configuration before the first iteration."""
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from mmrazor.registry import HOOKS

from ...utils.config_check import check_model

__all__ = ['ConfigCheckHook']


@HOOKS.register_module()
class ConfigCheckHook(Hook):
    """Stop a run with a :class:`~mmkd_logits.utils.ConfigError` before it
    trains, if its distillation model is misconfigured.

    In ``before_run`` (after the model, dataloaders and optimizer are built,
    before weights are initialised, checkpoints loaded or any iteration
    runs) it calls :func:`mmkd_logits.utils.config_check.check_model`:
    student/teacher class counts that differ under a logit loss, required
    loss arguments that ``loss_forward_mappings`` does not provide, mappings
    to unknown recorders or arguments, losses that would never be computed,
    and recorder sources that are not in the model. Non-distillation models
    pass untouched.

    ``tools/train.py`` adds it (and checks the config itself even earlier,
    before anything is built); for in-process runs add
    ``dict(type='mmrazor.ConfigCheckHook')`` to ``custom_hooks``. It has no
    arguments and costs one walk over the module names.
    """

    priority = 'VERY_HIGH'

    def before_run(self, runner) -> None:
        model = runner.model
        if is_model_wrapper(model):
            model = model.module
        check_model(model)
