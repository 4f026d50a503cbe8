"""Assertions shared by the checks' tests: a verdict and its prefix, and hints."""

from cnnbook import checks


def status(feedback: checks.Feedback) -> str:
    assert repr(feedback) == str(feedback) == feedback.message
    assert feedback.message.startswith(checks.PREFIXES[feedback.status] + " ")
    return feedback.status


def correct(feedback):
    assert status(feedback) == "correct", feedback.message
    return feedback.message


def wrong(feedback, *hints: str):
    assert status(feedback) == "incorrect", feedback.message
    for hint in hints:
        assert hint in feedback.message
    return feedback.message


def unanswered(feedback):
    assert status(feedback) == "unanswered", feedback.message
    assert feedback.message.startswith("Not answered yet:")
