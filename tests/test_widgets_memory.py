"""The will-it-fit calculator driven headless: set values, read what it shows."""

import pytest

from cnnbook import memory_plan as mp
from cnnbook.widgets_memory import NETWORKS, WillItFit, network_report


def test_starts_on_resnet50_16gb_and_shows_the_largest_batch():
    w = WillItFit()
    report = mp.resnet_report(50)
    expected = mp.largest_batch(report, 16e9, reserve_bytes=1e9)
    assert w.error is None and w.batch == expected > 0
    assert w.memory.total <= 15e9
    assert f"Largest batch that fits: {expected} images" in w.results.value
    assert "optimizer state" in w.results.value
    assert w.custom_gb.disabled


def test_each_control_changes_the_answer():
    w = WillItFit()
    base = w.batch
    w.precision.value = "mixed_float16"
    mixed = w.batch
    assert mixed > base
    w.checkpointing.value = True
    assert w.batch > 2 * mixed
    w.checkpointing.value = False
    w.precision.value = "float32"
    w.optimizer.value = "sgd"
    assert w.batch >= base
    w.optimizer.value = "adam"
    w.gpu.value = "80 GB"
    assert w.batch > 4 * base
    w.gpu.value = "custom"
    w.custom_gb.value = 16.0
    assert w.batch == base and not w.custom_gb.disabled
    w.network.value = "ResNet-152, 224 x 224"
    assert w.batch < base
    w.reserve_gb.value = 0.0
    expected = mp.largest_batch(mp.resnet_report(152), 16e9)
    assert w.batch == expected


def test_too_small_a_gpu_says_so():
    w = WillItFit(gpu="custom", custom_gb=0.3, reserve_gb=0.0)
    assert w.batch == 0 and w.memory is None
    assert "Not even one image fits" in w.results.value


@pytest.mark.parametrize("edit, message", [
    (lambda w: (setattr(w.gpu, "value", "custom"), setattr(w.custom_gb, "value", -2)),
     "custom GPU memory must be a positive"),
    (lambda w: setattr(w.reserve_gb, "value", -1.0), "reserve_bytes must be"),
])
def test_bad_settings_show_the_message(edit, message):
    w = WillItFit()
    edit(w)
    assert w.batch is None and message in w.error
    assert "cnnbook-error" in w.results.value


def test_network_reports():
    assert set(NETWORKS) >= {"ResNet-50, 224 x 224", "ResNet-50, 160 x 160"}
    assert network_report("ResNet-50, 224 x 224").params == 25_636_712
    with pytest.raises(ValueError, match="network must be one of"):
        network_report("VGG16")
