"""Multiple-choice questions: one right option, or "select all that apply".

A :class:`ChoiceSpec` knows the option labels, the right ones and a hint per
wrong option: why it is wrong, shown when it is picked. A select-all answer is
never told which of its options are wrong nor which right ones are missing:
the feedback says how many are wrong or missing and gives the hint of one
option the student picked (a hint about an option not picked would point at
the answer).

:class:`Options` is a question of the bank: its options' texts in a canonical
order, shuffled per student (:func:`cnnbook.checks.variants.shuffled`): the
letters change from student to student, and the spec follows them.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from cnnbook.checks.feedback import Feedback, is_unanswered, right, unanswered, wrong
from cnnbook.checks.reading import described, too_long

__all__ = [
    "ChoiceSpec",
    "Options",
    "Shown",
    "join_options",
    "option_label",
    "picked_options",
]


# ------------------------------------------------- reading the options picked
_OPTION_SEPARATORS = re.compile(r"[\s,;&+/]++")


def option_label(option: object) -> str:
    return str(option).strip().strip("().").strip().lower()


def picked_options(answer: object, labels: Sequence[str] = ()) -> set[str] | None:
    """The options a student picked: ``"b"``, ``"(b)"``, ``"a, c"``, ``"a and
    c"``, ``"ac"`` (when every option is one letter), ``["a", "c"]``, a set or
    an array of strings; None if the answer names no option."""
    if isinstance(answer, str):
        if too_long(answer):
            return None
        parts = [p for p in _OPTION_SEPARATORS.split(answer) if p.strip("().")]
        picked = {option_label(p) for p in parts} - {"and"}
    else:
        items = _items(answer)
        if not items or not all(isinstance(a, str) for a in items):
            return None
        picked = {option_label(a) for a in items}
    letters = all(len(label) == 1 for label in labels) and labels
    if letters:
        spread = set()
        for label in picked:
            if label not in labels and label.isalpha() and set(label) <= set(labels):
                spread |= set(label)  # "ad" for (a) and (d)
            else:
                spread.add(label)
        picked = spread
    return picked or None


def _items(answer: object) -> list | None:
    if isinstance(answer, (list, tuple, set, frozenset)):
        return list(answer)
    try:
        if callable(getattr(answer, "tolist", None)):  # a NumPy array of str
            items = answer.tolist()
            return items if isinstance(items, list) else [items]
    except Exception:  # a student's object whose methods raise
        pass
    return None


def join_options(labels: Sequence[str]) -> str:
    return ", ".join(f"({label})" for label in labels)


def _are(count: int) -> str:
    return "is" if count == 1 else "are"


@dataclass(frozen=True)
class ChoiceSpec:
    """``correct`` is one label (pick one) or a collection (select all).

    ``options`` are the labels, e.g. ``"abcd"``; answers are matched
    case-insensitively, and ``"(b)"``, ``"b."``, ``"a, c"``, ``"a and c"`` or
    ``["a", "c"]`` work. ``hints`` maps an option to what to reread (see the
    module docstring).
    """

    correct: str | Iterable[str]
    options: Iterable[str] = "abcd"
    hints: Mapping[str, str] = field(default_factory=dict)

    kind = "choice"

    def __post_init__(self) -> None:
        labels = tuple(option_label(o) for o in self.options)
        if len(labels) < 2 or len(set(labels)) != len(labels) or "" in labels:
            raise ValueError(
                f"options must be at least two distinct labels, got {self.options!r}"
            )
        many = not isinstance(self.correct, str)
        keys = frozenset(
            option_label(c) for c in (self.correct if many else [self.correct])
        )
        if not keys or not keys <= set(labels):
            raise ValueError(
                f"correct must be among the options {list(labels)}, got "
                f"{self.correct!r}"
            )
        hints = {}
        for key, hint in dict(self.hints or {}).items():
            if option_label(key) not in labels or not isinstance(hint, str):
                raise ValueError(
                    f"hints must map options {list(labels)} to sentences, got "
                    f"{key!r}: {hint!r}"
                )
            hints[option_label(key)] = hint
        object.__setattr__(self, "options", labels)
        object.__setattr__(self, "correct", keys)
        object.__setattr__(self, "hints", hints)
        object.__setattr__(self, "many", many)

    def judge(self, answer: object) -> Feedback:
        """The feedback for ``answer``; never raises."""
        labels, keys = self.options, self.correct
        if is_unanswered(answer) or (isinstance(answer, str) and not answer.strip()):
            return unanswered()
        picked = picked_options(answer, labels)
        if picked is None:
            example = '"a"' if not self.many else '["a", "c"]'
            return wrong(
                f"answer with the letter of an option ({', '.join(labels)}), such "
                f"as {example}; got {described(answer)}."
            )
        unknown = sorted(picked - set(labels))
        if unknown:
            shown = ", ".join(repr(u[:20]) for u in unknown[:3])
            return wrong(
                f"{shown} {_are(len(unknown))} not among the options "
                f"{', '.join(labels)}."
            )
        if picked == keys:
            return right(f"{join_options(sorted(picked))} {_are(len(picked))} right.")
        if not self.many:
            if len(picked) > 1:
                return wrong("pick exactly one option.")
            (label,) = picked
            return wrong(f"({label}) is not right. {self.hints.get(label, '')}".strip())
        return wrong(self._select_all(picked))

    def _select_all(self, picked: set[str]) -> str:
        labels, keys = self.options, self.correct
        chosen_wrong = [p for p in labels if p in picked - keys]
        missing = [p for p in labels if p in keys - picked]
        parts = []
        if chosen_wrong:
            count = len(chosen_wrong)
            parts.append(
                f"{count} of the {len(picked)} options you picked {_are(count)} "
                "not right"
                if count < len(picked)
                else f"{'the option' if count == 1 else f'all {count} options'} "
                f"you picked {_are(count)} not right"
            )
        if missing:
            count = len(missing)
            more = "more " if not chosen_wrong else ""
            parts.append(
                f"{count} {more}right option{'' if count == 1 else 's'} "
                f"{_are(count)} missing"
            )
        text = " and ".join(parts) + "."
        hinted = [p for p in chosen_wrong if p in self.hints]
        return f"{text} {self.hints[hinted[0]]}" if hinted else text


class Shown(str):
    """Text a notebook cell displays as it is (no quotes, real line breaks)."""

    def __repr__(self) -> str:
        return str(self)

    def _repr_pretty_(self, printer, cycle: bool) -> None:
        printer.text(str(self))


class Options:
    """A choice question's options in their canonical order, the indices of the
    right ones (one index: pick one; a collection: select all) and, for wrong
    options, why they are wrong. ``order`` (a permutation of the indices) is
    how one student sees them: ``order[0]`` is shown as (a). Which options are
    right is kept private: the question's spec knows it, the notebook does not."""

    __slots__ = ("texts", "many", "_right", "_hints")

    def __init__(
        self,
        texts: Sequence[str],
        right: int | Iterable[int],
        hints: Mapping[int, str] | None = None,
    ) -> None:
        texts = tuple(texts)
        hints = dict(hints or {})
        many = not isinstance(right, int)
        keys = frozenset(right if many else [right])
        if (
            not 2 <= len(texts) <= 26
            or not all(isinstance(t, str) and t for t in texts)
            or not keys
            or not keys <= set(range(len(texts)))
            or not set(hints) <= set(range(len(texts))) - keys
            or not all(isinstance(h, str) for h in hints.values())
        ):
            raise ValueError(
                "texts must be 2 to 26 options, right the index (or indices) of the "
                "right ones and hints keyed by wrong ones, got "
                f"{texts!r}, {right!r}, {sorted(hints)!r}"
            )
        self.texts, self.many = texts, many
        self._right, self._hints = keys, hints

    def __repr__(self) -> str:
        return f"Options({len(self.texts)} options)"

    def _check(self, order: Sequence[int]) -> tuple[int, ...]:
        order = tuple(order)
        if sorted(order) != list(range(len(self.texts))):
            raise ValueError(
                f"order must be a permutation of 0 to {len(self.texts) - 1}, "
                f"got {order!r}"
            )
        return order

    def text(self, order: Sequence[int]) -> Shown:
        """The options as the student sees them, one per line: ``(a) ...``."""
        order = self._check(order)
        return Shown(
            "\n".join(
                f"({letter}) {self.texts[index]}"
                for letter, index in zip(string.ascii_lowercase, order, strict=False)
            )
        )

    def _spec(self, order: Sequence[int]) -> ChoiceSpec:
        """The spec that judges letters as the student sees them (private: it
        holds the answer)."""
        order = self._check(order)
        letters = string.ascii_lowercase[: len(order)]
        shown = list(zip(letters, order, strict=True))
        right = [letter for letter, i in shown if i in self._right]
        return ChoiceSpec(
            right if self.many else right[0],
            letters,
            {letter: self._hints[i] for letter, i in shown if i in self._hints},
        )
