"""Every student's variant, over many ids: the right answer is Correct, every
named mistake is judged as that mistake (also rounded as the tolerance asks),
no two named mistakes nor a mistake and the answer coincide, the options'
letters change, and one student's answers do not pass in another's notebook."""

import importlib
import itertools
import math

import pytest

from cnnbook.checks import (
    ChoiceSpec,
    FunctionSpec,
    NumberSpec,
    QuantitySpec,
    ShapesSpec,
    bank,
    variants,
)
from cnnbook.checks.apart import clashes
from cnnbook.checks.reading import EXACT, UNITS, round_sig
from cnnbook.checks.specs import close, digits_needed
from tests.checks.support import correct, wrong

IDS = [f"student{n:03d}" for n in range(200)]
MODULES = {
    name: importlib.import_module(f"cnnbook.checks.{name}") for name in bank.CHAPTERS
}
CONSTANT = {"ch04.pool_params", "ch01.conv_growth"}
"""Questions whose answer is the same for every student (0 and 1)."""


def _scale(spec) -> float:
    return UNITS[spec.unit] if isinstance(spec, QuantitySpec) else 1


def _answers(spec):
    """The right answer of a spec, as a student would give it."""
    if isinstance(spec, (NumberSpec, QuantitySpec)):
        return spec.expected / _scale(spec)
    if isinstance(spec, ShapesSpec):
        return list(spec.expected)
    if isinstance(spec, ChoiceSpec):
        return sorted(spec.correct)
    return None


def _asked(spec) -> int | None:
    """The significant digits a notebook asks for at the spec's tolerance (4
    for 0.1%, 3 for 1%); None for an exact answer."""
    if spec.rel_tol <= EXACT:
        return None
    return max(
        digits_needed(spec.expected, spec.rel_tol),
        math.ceil(-math.log10(spec.rel_tol)) + 1,
    )


def check_spec(qid: str, spec) -> None:
    """The right answer is correct and every named mistake gets its hint."""
    answer = _answers(spec)
    if answer is not None:
        correct(spec.judge(answer))
    if isinstance(spec, (NumberSpec, QuantitySpec)):
        assert clashes(spec) == [], (qid, clashes(spec))
        scale = _scale(spec)
        named = [m for m in spec.named if not close(m.value, spec.expected, 0.0)]
        assert named, f"{qid} names no mistake"
        digits = _asked(spec)
        for mistake in named:
            wrong(spec.judge(mistake.value / scale), mistake.hint)
            if digits and mistake.value:  # the slip, as precise as the notebook asks
                rounded = round_sig(mistake.value / scale, digits)
                assert not spec.judge(rounded).correct, (qid, mistake, rounded)
    elif isinstance(spec, ShapesSpec):
        slips = [(shapes, hint) for shapes, hint in spec.variants]
        for shapes, hint in slips:
            if shapes != spec.expected:
                wrong(spec.judge(list(shapes)), hint)
    elif isinstance(spec, ChoiceSpec):
        for label, hint in spec.hints.items():
            picked = {label} if not spec.many else spec.correct | {label}
            wrong(spec.judge(sorted(picked)), hint)


@pytest.mark.parametrize("chapter", bank.CHAPTERS)
def test_every_students_variant_judges_right_answers_and_named_mistakes(chapter):
    module = MODULES[chapter]
    questions = bank.questions(chapter)
    for student in IDS:
        with variants.as_student(student):
            v = module.variant()
            assert v.student_id == student and v != module.DEFAULT, student
            for q in questions:
                spec = q._spec()
                if isinstance(spec, FunctionSpec) and student not in IDS[:3]:
                    continue  # calls the reference: a few students suffice
                check_spec(q.qid, spec)


@pytest.mark.parametrize("chapter", bank.CHAPTERS)
def test_the_default_variant_is_valid_and_its_own(chapter):
    module = MODULES[chapter]
    assert module._valid(module.DEFAULT)
    assert module.variant() == module.DEFAULT and module.variant().student_id is None
    for q in bank.questions(chapter):
        check_spec(q.qid, q._spec())


def test_choice_letters_change_from_student_to_student():
    choices = [q for q in bank.questions() if isinstance(q._spec(), ChoiceSpec)]
    assert len(choices) >= 8
    for q in choices:
        letters = set()
        for student in IDS[:40]:
            with variants.as_student(student):
                letters.add(frozenset(q._spec().correct))
        assert len(letters) >= 3, (q.qid, letters)


def _key(spec):
    return _answers(spec)


@pytest.mark.parametrize("chapter", bank.CHAPTERS)
def test_one_students_answers_do_not_pass_in_anothers_notebook(chapter):
    module = MODULES[chapter]
    questions = [
        q
        for q in bank.questions(chapter)
        if isinstance(q._spec(), (NumberSpec, QuantitySpec, ShapesSpec, ChoiceSpec))
        and q.qid not in CONSTANT
    ]
    pairs = list(itertools.pairwise(IDS[:41]))
    passed = {q.qid: 0 for q in questions}
    for first, second in pairs:
        with variants.as_student(first):
            answers = {q.qid: _key(q._spec()) for q in questions}
            mine = module.variant()
        with variants.as_student(second):
            assert module.variant() != mine  # different numbers
            for q in questions:
                passed[q.qid] += q(answers[q.qid]).correct
    shares = {qid: count / len(pairs) for qid, count in passed.items()}
    assert sum(shares.values()) / len(shares) < 0.2, shares
    assert all(share <= 0.5 for share in shares.values()), shares


def test_copying_the_default_answers_does_not_pay():
    """The published solutions (the default variant) fail in the students'
    notebooks: beyond the constant answers, few pass, and only small whole
    numbers (a radius, a number of steps) by chance."""
    for chapter in bank.CHAPTERS:
        questions = [
            q
            for q in bank.questions(chapter)
            if isinstance(q._spec(), (NumberSpec, QuantitySpec, ShapesSpec))
            and q.qid not in CONSTANT
        ]
        published = {q.qid: _key(q._spec()) for q in questions}
        passed = {q.qid: 0 for q in questions}
        for student in IDS[:40]:
            with variants.as_student(student):
                for q in questions:
                    passed[q.qid] += q(published[q.qid]).correct
        shares = {qid: count / 40 for qid, count in passed.items()}
        assert sum(shares.values()) / len(shares) < 0.1, shares
        assert all(share <= 0.35 for share in shares.values()), shares
