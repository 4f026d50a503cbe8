"""Answers carried out of the kernel: exact round trips, subclasses flattened,
anything else refused; the limits on size and nesting; what grades.csv quotes."""

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cnnbook.grading import capture
from cnnbook.grading.answers import (
    MAX_DEPTH,
    MAX_SHOWN,
    capture_expression,
    decode,
    encode,
    names_expression,
    one_line,
    read_reply,
    short_text,
)
from cnnbook.grading.judge import MAX_MODEL_LAYERS, keras_loader
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
    assert read_reply({"content": {"user_expressions": {"answer": "text"}}}) is None


class _Shell:
    def __init__(self, namespace):
        self.user_ns = namespace


def test_the_kernel_reads_answers_with_the_capture_module():
    user = {"x": [1, (2,)], "f": len, "boom": 1}
    namespace = {"get_ipython": lambda: _Shell(user)}
    exec("import IPython; IPython.get_ipython = get_ipython", namespace)
    assert json.loads(eval(capture_expression("x"), namespace)) == encode([1, (2,)])
    assert json.loads(capture.read("missing_name", user))["t"] == "missing"
    assert json.loads(capture.read("1 / 0", user)) == {
        "t": "error",
        "v": "ZeroDivisionError: division by zero",
    }
    assert json.loads(capture.read("f", user))["kind"] == "function"
    assert json.loads(capture.read("int", user))["kind"] == "class"
    names = json.loads(eval(names_expression(["x", "nope"]), namespace))
    assert names["x"] == encode([1, (2,)]) and names["nope"]["t"] == "missing"


def test_an_answer_too_large_to_carry_says_so():
    big = "x" * (capture.MAX_ANSWER_BYTES + 1)
    assert json.loads(capture.read("big", {"big": big}))["v"] == (
        "the answer is too large to grade"
    )


def _nested(depth):
    value = []
    for _ in range(depth):
        value = [value]
    return value


def test_answers_nest_at_most_max_depth_levels_both_ways():
    assert decode(encode(_nested(MAX_DEPTH))) == _nested(MAX_DEPTH)
    with pytest.raises(OverflowError, match="too large"):
        encode(_nested(MAX_DEPTH + 1))
    data = {"t": "none"}
    for _ in range(MAX_DEPTH + 1):
        data = {"t": "list", "v": [data]}
    with pytest.raises(ValueError, match=f"more than {MAX_DEPTH} levels"):
        decode(data)


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (..., "..."),
        (903_400, "903400"),
        ("12.6 MB", "'12.6 MB'"),
        ([(100, 150, 100), (50, 75, 100)], "[(100, 150, 100), (50, 75, 100)]"),
        (np.float32(0.5), "np.float32(0.5)"),
    ],
)
def test_grades_quote_the_answer_as_a_python_literal(value, shown):
    assert short_text(encode(value)) == shown


def test_a_long_answer_is_quoted_in_at_most_200_characters_on_one_line():
    for value in ("x\n" * 10_000, list(range(10_000)), {str(n): n for n in range(99)}):
        text = short_text(encode(value))
        assert len(text) <= MAX_SHOWN and "\n" not in text
    assert "..." in short_text(encode("y" * 1000))
    assert short_text(None) == "" and short_text({"t": "nonsense"}) == ""
    code = {"t": "code", "line": "def my_lrn(x, k, n, alpha, beta):"}
    assert short_text(code) == code["line"]


def test_a_model_with_too_many_layers_is_not_rebuilt():
    layer = {"module": "keras.layers", "class_name": "Dense", "config": {}}
    config = {
        "module": "keras",
        "class_name": "Sequential",
        "config": {"layers": [layer] * (MAX_MODEL_LAYERS + 1)},
    }
    with pytest.raises(ValueError, match=f"more than {MAX_MODEL_LAYERS} layers"):
        keras_loader(json.dumps(config))


def test_the_limits_are_the_ones_the_readme_states():
    from cnnbook.grading.submission import MAX_NOTEBOOK_BYTES
    from tests.conftest import REPO

    readme = " ".join((REPO / "README.md").read_text().split())
    stated = (
        f"An answer is at most {capture.MAX_ANSWER_BYTES // 10**6} MB of data "
        f"({capture.MAX_ITEMS:,} values, nested at most {MAX_DEPTH} levels), a "
        f"model at most {MAX_MODEL_LAYERS} layers."
    )
    assert stated in readme
    assert f"A file larger than {MAX_NOTEBOOK_BYTES // 10**6} MB is not read." in readme
    assert (MAX_DEPTH, MAX_MODEL_LAYERS) == (50, 300)


def test_a_reply_too_long_or_too_deep_is_unreadable_not_an_error():
    assert read_reply(_reply(repr("x" * (capture.MAX_ANSWER_BYTES + 1)))) is None
    assert read_reply(_reply("'" + "x" * 20_000_000 + "'")) is None
    assert read_reply(_reply(repr("[" * 100_000 + "]" * 100_000))) is None
    deepest = json.dumps(encode(_nested(MAX_DEPTH)))
    assert read_reply(_reply(repr(deepest))) == encode(_nested(MAX_DEPTH))
    too_deep = '{"t": "list", "v": ' + "[" * 500 + "]" * 500 + "}"
    assert json.loads(too_deep) and read_reply(_reply(repr(too_deep))) is None


def test_an_answer_is_shown_on_one_line_and_cut_only_when_long():
    """grades.csv and manual.csv show an answer this way: whitespace runs count
    once before the length is judged."""
    spaced = "pooling " + " " * 300 + "keeps the maximum"
    assert one_line(spaced) == "pooling keeps the maximum"
    assert one_line("a\n\tb") == "a b"
    exact = "x" * MAX_SHOWN
    assert one_line(exact) == exact
    long = one_line("y" * (MAX_SHOWN + 1))
    assert len(long) == MAX_SHOWN and long.endswith("...")
