"""lr_scale_warning: a total batch other than the one the lr is set for."""
from mmengine.config import Config

from mmkd_logits.apis.launch import lr_scale_warning


def _cfg(batch=64, base=512, enable=False, lr=0.2):
    return Config(
        dict(
            train_dataloader=dict(batch_size=batch),
            optim_wrapper=dict(optimizer=dict(lr=lr)),
            auto_scale_lr=dict(base_batch_size=base, enable=enable)))


def test_single_gpu_imagenet_warns_with_the_factor_and_the_flag():
    msg = lr_scale_warning(_cfg(), world_size=1)
    assert 'total batch of 512' in msg and '1 process(es) x 64 = 64' in msg
    assert '8 times' in msg and '--auto-scale-lr' in msg
    assert 'lr x 0.125' in msg and 'train on 8 GPUs' in msg


def test_no_warning_when_it_matches_or_is_scaled():
    assert lr_scale_warning(_cfg(), world_size=8) is None
    assert lr_scale_warning(_cfg(enable=True), world_size=1) is None
    assert lr_scale_warning(Config(dict()), world_size=1) is None


def test_drop_hooks_by_class_or_registry_name():
    from mmkd_logits.apis.launch import drop_hooks
    from mmkd_logits.engine.hooks import NonFiniteLossHook, TeacherCheckHook
    hooks = [
        dict(type=TeacherCheckHook),
        dict(type=NonFiniteLossHook),
        dict(type='mmrazor.TeacherCheckHook', num_batches=2)
    ]
    assert drop_hooks(hooks, 'TeacherCheckHook') == [hooks[1]]
    assert drop_hooks(hooks, 'NoSuchHook') == hooks
    assert drop_hooks(None, 'TeacherCheckHook') == []
