"""Answers carried out of the kernel: exact round trips, subclasses flattened,
anything else refused."""

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cnnbook.grading.answers import (
    capture_code,
    decode,
    encode,
    kernel_check_code,
    read_reply,
)
from cnnbook.grading.judge import keras_loader
from tests.conftest import examples

plain = st.recursive(
    st.none()
    | st.just(...)
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.tuples(inner, inner)
        | st.dictionaries(st.text(max_size=3), inner, max_size=3)
    ),
    max_leaves=12,
)


@settings(max_examples=examples(200))
@given(plain)
def test_plain_data_survives_the_trip_exactly(value):
    data = json.loads(json.dumps(encode(value)))
    back = decode(data)
    assert back == value and type(back) is type(value)


def test_numbers_keep_their_bits_and_numpy_its_types():
    for value in (0.1, -0.0, math.inf, 1e-310, 10**40):
        assert decode(encode(value)) == value
    assert math.isnan(decode(encode(math.nan)))
    scalar = decode(encode(np.float32(0.25)))
    assert type(scalar) is np.float32 and scalar == 0.25
    array = decode(encode(np.arange(6, dtype="int64").reshape(2, 3)))
    assert array.dtype == np.int64 and array.shape == (2, 3) and array[1, 2] == 5
    assert decode(encode({"a", "b"})) == {"a", "b"}
    assert decode(encode(frozenset({1}))) == frozenset({1})


def test_a_subclass_arrives_as_its_plain_base_type():
    class Liar(int):
        def __eq__(self, other):
            return True

        __hash__ = int.__hash__

    class Shouting(str):
        def __eq__(self, other):
            return True

        __hash__ = str.__hash__

    number, text = decode(encode(Liar(3))), decode(encode(Shouting("b")))
    assert type(number) is int and number != 903_400
    assert type(text) is str and text != "a"


def test_code_and_objects_are_opaque():
    for value in (print, lambda x: x, object(), b"bytes", 1j, np.array(["a"])):
        with pytest.raises((TypeError, OverflowError)):
            encode(value)
    with pytest.raises(OverflowError, match="too large"):
        encode(list(range(300_000)))


@pytest.mark.parametrize(
    "data",
    [
        None,
        [],
        {"t": "int", "v": 3},
        {"t": "float", "v": "nope"},
        {"t": "dict", "v": [[1]]},
        {"t": "ndarray", "dtype": "<i8", "shape": [2], "v": [{"t": "int", "v": "1"}]},
        {"t": "ndarray", "dtype": "|O", "shape": [0], "v": []},
        {"t": "pickle", "v": "..."},
        {"t": "keras", "v": "{}"},
    ],
)
def test_decode_refuses_what_encode_never_makes(data):
    with pytest.raises(ValueError):
        decode(data)


def test_keras_models_cross_as_their_architecture():
    import keras

    model = keras.Sequential(
        [keras.Input(shape=(8, 8, 1)), keras.layers.Conv2D(4, 3, name="conv")]
    )
    rebuilt = decode(encode(model), keras_loader)
    assert rebuilt.count_params() == model.count_params() == 40
    assert rebuilt.layers[0].name == "conv"


def test_keras_configs_with_code_or_foreign_classes_are_refused():
    config = {
        "module": "keras",
        "class_name": "Sequential",
        "config": {"layers": [{"module": "os", "class_name": "system", "config": {}}]},
    }
    with pytest.raises(ValueError, match="from 'os'"):
        keras_loader(json.dumps(config))
    config["config"]["layers"][0] = {"module": "keras.layers", "class_name": "Lambda"}
    with pytest.raises(ValueError, match="Lambda"):
        keras_loader(json.dumps(config))


def _reply(text):
    return {"content": {"user_expressions": {"answer": {"status": "ok",
            "data": {"text/plain": text}}}}}  # fmt: skip


def test_read_reply_accepts_only_a_string_literal_of_a_json_object():
    assert read_reply(_reply(repr('{"t": "none"}'))) == {"t": "none"}
    for text in ("{'t': 'none'}", repr("[1]"), "__import__('os')", repr("{"), "x" * 10):
        assert read_reply(_reply(text)) is None
    assert read_reply(None) is None
    assert read_reply({"content": {}}) is None


def test_capture_code_evaluates_in_the_user_namespace():
    namespace = {"get_ipython": lambda: type("S", (), {"user_ns": {"x": [1, (2,)]}})}
    code, expression = capture_code("x")
    exec(code, namespace)
    assert json.loads(eval(expression, namespace)) == encode([1, (2,)])
    code, expression = capture_code("missing_name")
    exec(code, namespace)
    assert json.loads(eval(expression, namespace))["t"] == "missing"
    code, _ = kernel_check_code("checks.number(x, 1)", {"checks": "cnnbook.checks"})
    compile(code, "<kernel check>", "exec")
