"""GreyToRGB: one grey channel repeated to three."""
import numpy as np
import pytest

import mmkd_logits  # noqa: F401
from mmkd_logits.datasets import GreyToRGB


@pytest.mark.parametrize('shape', [(5, 4), (5, 4, 1)])
def test_grey_becomes_three_equal_channels(shape):
    img = np.arange(20, dtype=np.uint8).reshape(shape)
    out = GreyToRGB()(dict(img=img))['img']
    assert out.shape == (5, 4, 3) and out.dtype == np.uint8
    for c in range(3):
        assert np.array_equal(out[:, :, c], img.reshape(5, 4))
    assert out.flags.c_contiguous


def test_colour_images_pass_unchanged():
    img = np.random.default_rng(0).integers(0, 255, (5, 4, 3), np.uint8)
    out = GreyToRGB()(dict(img=img))['img']
    assert out is img


@pytest.mark.parametrize('shape', [(5, 4, 4), (5, ), (2, 5, 4, 1)])
def test_other_shapes_are_refused_with_the_shape(shape):
    with pytest.raises(
            ValueError,
            match=r'GreyToRGB expects .* got shape ' +
            repr(shape).replace('(', r'\(').replace(')', r'\)')):
        GreyToRGB()(dict(img=np.zeros(shape, np.uint8)))


def test_built_from_a_config_by_name():
    from mmpretrain.registry import TRANSFORMS
    assert isinstance(TRANSFORMS.build(dict(type='GreyToRGB')), GreyToRGB)
