"""Every question of the bank: declared with its points, hints that are sentences
and fit the question, every known mistake recognised, the answer never in a
hint, and feedback (never a traceback) for anything a student can pass."""

import decimal
import fractions
import itertools
import re

import keras
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from cnnbook import checks
from cnnbook.checks import (
    ChoiceSpec,
    FunctionSpec,
    ModelSpec,
    NumberSpec,
    QuantitySpec,
    ShapesSpec,
    variants,
)
from cnnbook.checks.feedback import fmt
from cnnbook.checks.reading import UNITS
from tests.checks.support import correct, status, wrong
from tests.conftest import examples

QUESTIONS = checks.questions()
IDS = [q.qid for q in QUESTIONS]
BY_ID = dict(zip(IDS, QUESTIONS, strict=True))


def test_every_chapter_declares_its_questions_with_points():
    assert {qid.partition(".")[0] for qid in IDS} == set(checks.CHAPTERS)
    assert len(IDS) == len(set(IDS)) >= 40
    for q in QUESTIONS:
        assert re.fullmatch(r"ch0[1-7]\.[a-z][a-z0-9_]*", q.qid)
        assert isinstance(q.points, int) and q.points >= 1
        assert re.match(r"\d[a-z]?: ", q.title), q.title
        assert getattr(checks, q.qid.partition(".")[0]).__dict__[q.qid[5:]] is q
    spec_kinds = {type(q._spec()) for q in QUESTIONS}
    assert spec_kinds == {
        NumberSpec,
        QuantitySpec,
        ChoiceSpec,
        ShapesSpec,
        ModelSpec,
        FunctionSpec,
    }
    models = [q for q in QUESTIONS if isinstance(q._spec(), (ModelSpec, FunctionSpec))]
    assert all(q.points >= 3 for q in models)


def hints(spec) -> list[str]:
    """Every hint a spec can give."""
    if isinstance(spec, (NumberSpec, QuantitySpec)):
        return [m.hint for m in spec.mistakes] + ([spec.hint] if spec.hint else [])
    if isinstance(spec, ChoiceSpec):
        return list(spec.hints.values())
    if isinstance(spec, ShapesSpec):
        return [hint for _, hint in spec.variants]
    if isinstance(spec, FunctionSpec):
        return [hint for _, hint in spec.slips]
    if isinstance(spec, ModelSpec):
        return hints(spec.params) if spec.params is not None else []
    raise AssertionError(type(spec))


@pytest.mark.parametrize("qid", IDS)
def test_every_hint_is_a_sentence(qid):
    for hint in hints(BY_ID[qid]._spec()):
        assert re.fullmatch(r"[A-Z].*[.?]", hint, re.DOTALL), hint
        assert "  " not in hint and "\n" not in hint, hint


NOT_CONVOLUTIONS = ["ch01.dense_params", "ch04.pool_params", "ch06.flatten_dense"]
NOT_CONVOLUTIONS += ["ch06.gap_dense", "ch07.se_params"]


@pytest.mark.parametrize("qid", NOT_CONVOLUTIONS)
def test_hints_fit_the_layer_the_question_is_about(qid):
    spec = BY_ID[qid]._spec()
    for hint in hints(spec):
        assert not re.search(r"filter|kernel|convolution", hint, re.IGNORECASE), hint
    answers = [spec.expected + 1, spec.expected * 2, max(spec.expected - 1, 0) or 3]
    for answer in answers:
        assert not re.search(r"filter|kernel", spec.judge(answer).message), answer


def recognised(spec):
    """(answer, hint) pairs: each known mistake as a student would give it."""
    if isinstance(spec, NumberSpec):
        return [(m.value, m.hint) for m in spec.mistakes]
    if isinstance(spec, QuantitySpec):
        return [(m.value / UNITS[spec.unit], m.hint) for m in spec.mistakes]
    if isinstance(spec, ChoiceSpec):
        pairs = []
        for label, hint in spec.hints.items():
            if label not in spec.correct:
                picked = {label} if not spec.many else spec.correct | {label}
            elif spec.many and len(spec.correct) > 1:
                picked = spec.correct - {label}
            else:
                continue
            pairs.append((sorted(picked), hint))
        return pairs
    if isinstance(spec, ShapesSpec):
        return [(list(shapes), hint) for shapes, hint in spec.variants]
    if isinstance(spec, FunctionSpec):
        return list(spec.slips)
    return []  # models: tests/checks/test_chNN.py build each slip


@pytest.mark.parametrize("qid", IDS)
def test_each_known_mistake_gets_its_hint(qid):
    spec = BY_ID[qid]._spec()
    pairs = recognised(spec)
    if not isinstance(spec, ModelSpec):
        assert pairs, f"{qid} recognises no mistake"
    for answer, hint in pairs:
        feedback = BY_ID[qid](answer)
        assert feedback.status == "incorrect" and hint in feedback.message, (
            answer,
            feedback.message,
        )


@pytest.mark.parametrize(
    "qid",
    [q.qid for q in QUESTIONS if isinstance(q._spec(), (NumberSpec, QuantitySpec))],
)
def test_the_right_value_is_correct_and_no_hint_gives_it_away(qid):
    spec = BY_ID[qid]._spec()
    scale = UNITS[spec.unit] if isinstance(spec, QuantitySpec) else 1
    correct(spec.judge(spec.expected / scale))
    shown = fmt(spec.expected / scale)
    if len(shown.replace(".", "")) < 3:
        return  # a digit or two appear in any text ("2 * depth_radius + 1")
    given = re.compile(rf"(?<![\d.,]){re.escape(shown)}(?![\d])")
    for answer, _ in recognised(spec):
        assert not given.search(spec.judge(answer).message)
    for hint in hints(spec):
        assert not given.search(hint)


# --------------------------------------------------------------------------- hostile
class Hostile:
    """An object whose every conversion raises."""

    def __repr__(self):
        raise RuntimeError("repr")

    def __float__(self):
        raise RuntimeError("float")

    def __iter__(self):
        raise RuntimeError("iter")

    def __len__(self):
        raise RuntimeError("len")

    def __getattr__(self, name):
        raise RuntimeError(name)


class Subclassed(keras.Model):
    def __init__(self):
        super().__init__()
        self.dense = keras.layers.Dense(3)

    def call(self, x):
        return self.dense(x)


def fuzz_list() -> list:
    recursive: list = []
    recursive.append(recursive)
    x = keras.Input((4,))
    return [
        *[None, ..., True, False, 0, -1, 1, 2**63, 10**400, -(10**400), 10**5000],
        *[0.0, -0.0, 1e308, float("inf"), -float("inf"), float("nan"), 5e-324],
        *[1 + 2j, decimal.Decimal("1e999999"), decimal.Decimal("NaN")],
        *[decimal.Decimal("sNaN"), fractions.Fraction(7, 8)],
        fractions.Fraction(10**400, 3),
        *["", " ", "\n", "0\n0", "12\nMB", "\x00", "\u200b", "1/0", "0/0", "%", "/"],
        *["e", "1e", "--1", "\u00bd", "\u0661\u0662", "\U0001d7cf\U0001d7d0", "१२"],
        *["12 MB MB", "a" * 10_000, "9" * 5000, "1" + "0" * 400, "(" * 50, "1e-400"],
        *["a, b, c, d, e", "abcd", "ABCD", "a,,b", "NaN", "-inf", "0x10", "12 MiB"],
        *["12 furlongs", "MB", "(25, 38, 400)", "25x38x400", "[(1, 2, 3)]", "None"],
        *[b"12", bytearray(b"12"), memoryview(b"12")],
        *[[], [1, 2], (1, 2), {"a": 1}, {1, 2}, frozenset("ab"), range(3)],
        *[[[1, 2], [3]], recursive, [None, ...], [(1, 2, 3)] * 3, ["a", 1]],
        *[np.arange(3), np.zeros((2, 2)), np.array("a"), np.array([]), np.bool_(1)],
        *[np.float32("nan"), np.int64(5), np.array(["a", "d"]), np.array(2.5)],
        *[lambda: 0, lambda *a: None, lambda *a: 1 / 0, lambda *a: a[0] * 1j],
        *[lambda *a: "x", lambda *a: np.zeros(10**2), len, type, int, str],
        *[object(), Hostile(), itertools.count(), (i for i in range(3))],
        *[keras.layers.Dense(3), keras.Sequential([keras.layers.Dense(3)])],
        *[keras.Model(x, keras.layers.Dense(3)(x)), Subclassed(), x],
    ]


ADDRESS = re.compile(r"0x[0-9a-fA-F]{6,}")  # a memory address, not a student's '0x10'


def assert_feedback(feedback):
    assert status(feedback) in checks.PREFIXES
    assert not ADDRESS.search(feedback.message), feedback.message  # no ids
    assert "\n" not in feedback.message and len(feedback.message) < 700
    assert not re.match(r"[a-z]", feedback.message.partition(": ")[2]), feedback.message


@pytest.mark.parametrize("student", [None, "alice"])
@pytest.mark.parametrize("qid", IDS)
def test_every_question_answers_every_odd_input_with_feedback(qid, student):
    with variants.as_student(student):
        judge = BY_ID[qid]._spec().judge  # the spec itself: a bug of the bank shows
    for answer in fuzz_list():
        assert_feedback(judge(answer))


ANSWERS = st.one_of(
    st.none(),
    st.just(...),
    st.booleans(),
    st.integers(),
    st.integers(min_value=10**300),
    st.floats(),
    st.complex_numbers(),
    st.fractions(),
    st.decimals(),
    st.text(max_size=16),
    st.text(alphabet="0123456789.,%/ eE-+_'MBKiGkbytes()x\n\u0663\uff11", max_size=14),
    st.binary(max_size=8),
    st.lists(st.integers(-5, 500), max_size=5),
    st.tuples(st.integers(-5, 500), st.integers(0, 500), st.integers(0, 500)),
    st.lists(st.tuples(st.integers(0, 500), st.integers(0, 500)), max_size=4),
    st.lists(st.sampled_from(["a", "b", "c", "d", "e", "(b)", ""]), max_size=5),
    st.sets(st.sampled_from("abcdz")),
    st.dictionaries(st.text(max_size=2), st.integers(), max_size=2),
    hnp.arrays(
        st.sampled_from([np.float64, np.int32, np.bool_, np.dtype("U2")]),
        hnp.array_shapes(min_dims=0, max_dims=2, max_side=3),
    ),
)


@settings(max_examples=examples(120))
@given(answer=ANSWERS)
def test_no_student_answer_makes_any_question_raise(answer):
    for q in QUESTIONS:
        assert_feedback(q._spec().judge(answer))


def test_the_question_wrapper_never_raises_either():
    class Fragile:
        def judge(self, answer):
            raise RuntimeError("a bug")

    question = checks.Question("ch99.fragile", 1, Fragile)
    feedback = question(1)
    wrong(feedback, "could not be checked (RuntimeError)")
