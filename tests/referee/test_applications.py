"""analyze_keras on keras.applications models against count_params and the papers.

Models are built with ``weights=None``: nothing is downloaded.
"""

import gc

import keras  # conftest has quieted TensorFlow before this import
import pytest

from cnnbook.referee.keras_bridge import analyze_keras

# Multiply-adds reported by the papers for a 224 x 224 x 3 input:
# He et al. 2015, Table 1 ("FLOPs" that are multiply-adds) and Fig. 3 for VGG-19;
# Howard et al. 2017, Table 8 for MobileNet (1.0, 224).
PAPER_MACS = {
    "ResNet50": 3.8e9,
    "ResNet101": 7.6e9,
    "ResNet152": 11.3e9,
    "VGG19": 19.6e9,
    "MobileNet": 569e6,
}
# Relative 5%: the papers print two or three significant figures (Keras'
# ResNet50 has 3.86e9, printed as 3.8e9) and count the classifier slightly
# differently. Measured ratios (ours / paper) with Keras 3.15:
# ResNet50 1.015, ResNet101 0.996, ResNet152 0.998, VGG19 1.002, MobileNet 0.9995.
REL_TOL = 0.05


@pytest.fixture
def build():
    """Build an application model and free it afterwards (VGG19 is 575 MB)."""
    models = []

    def make(name):
        model = getattr(keras.applications, name)(
            weights=None, include_top=True, input_shape=(224, 224, 3)
        )
        models.append(model)
        return model

    yield make
    models.clear()
    keras.backend.clear_session()
    gc.collect()


@pytest.mark.parametrize("name", list(PAPER_MACS))
def test_application_params_and_macs(build, name):
    model = build(name)
    r = analyze_keras(model)
    assert r.params == model.count_params()
    assert r.input_shape == (224, 224, 3)
    assert r.layers[-1].output_shape == (1000,)
    assert r.macs == pytest.approx(PAPER_MACS[name], rel=REL_TOL)
    assert r.param_bytes == 4 * r.params
    assert r.param_bytes < r.inference_bytes < r.training_bytes


def test_resnet50_known_figures(build):
    """Keras' ResNet50: 25,636,712 parameters and 3.86 G multiply-adds."""
    r = analyze_keras(build("ResNet50"), batch_size=32)
    assert r.params == 25_636_712
    assert round(r.macs / 1e9, 2) == 3.86
    kinds = {layer.kind for layer in r.layers}
    assert {"Add", "BatchNormalization", "ZeroPadding2D"} <= kinds
