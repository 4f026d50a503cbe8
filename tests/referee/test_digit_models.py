"""Chapter 1's two small models and their trainer."""

import numpy as np
import pytest

from cnnbook.referee import digit_models as dm
from cnnbook.science import shifted_digits as sd


def test_models_match_the_chapter_and_keras_counts():
    cnn, dense = dm.small_cnn(20), dm.dense_net(20)
    # (3*3*1+1)*12 + (3*3*12+1)*24 + (24+1)*10 and (400+1)*16 + (16+1)*10
    assert cnn.count_params() == 120 + 2616 + 250 == 2986
    assert dense.count_params() == 6416 + 170 == 6586
    assert tuple(cnn.outputs[0].shape) == (None, 10)


def test_trainer_restarts_from_the_same_weights_and_learns():
    data = sd.load()
    x, y = data.train(200)
    trainer = dm.Trainer(dm.dense_net)
    first = trainer.fit_and_score(x, y, {"train": (x, y)}, samples_seen=800)
    weights = [w.copy() for w in trainer.model.get_weights()]
    second = trainer.fit_and_score(x, y, {"train": (x, y)}, samples_seen=800)
    assert first == second
    for a, b in zip(weights, trainer.model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    assert first["train"] > 0.5  # well above chance (0.1) on what it saw
    with pytest.raises(ValueError, match="samples_seen"):
        trainer.fit(x, y, samples_seen=0)


def test_bad_arguments_name_themselves():
    with pytest.raises(ValueError, match="units"):
        dm.dense_net(units=0)
    with pytest.raises(ValueError, match="canvas"):
        dm.small_cnn(7)
