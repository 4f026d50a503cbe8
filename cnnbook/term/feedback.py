"""feedback/<id>.html: what each student gets back.

One self-contained page per roster student: the points of each assignment
(and the late rule or the missing work that changed them), then for each of
the student's notebooks every question with the answer as the grader read it,
the points, the feedback, and for a hand-graded question the whole prose
answer and the grader's comment. Everything a student wrote (answers, file
names) is escaped: a page shows it as text, never runs it.
"""

from __future__ import annotations

import hashlib
import html
from pathlib import Path

from cnnbook.term.build import AssignmentResult, StudentResult, Term, points_text
from cnnbook.term.course import valid_id

__all__ = ["feedback_name", "feedback_page", "write_feedback"]

STYLE = """
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto;
       padding: 0 1rem; line-height: 1.45; color: #1d1d1d; }
table { border-collapse: collapse; width: 100%; margin: 0.5rem 0 1.5rem; }
th, td { border: 1px solid #c8c8c8; padding: 0.35rem 0.5rem; text-align: left;
         vertical-align: top; }
th { background: #f0f0f0; }
.answer { white-space: pre-wrap; font-family: ui-monospace, monospace;
          font-size: 0.9em; overflow-wrap: anywhere; }
.note { color: #8a4b00; }
"""


def esc(value) -> str:
    return html.escape(str(value), quote=True)


def feedback_name(student_id: str) -> str:
    """The file name of a student's page: their id, or a digest of it when
    the id is not a safe file name."""
    if valid_id(student_id) and student_id.isascii():
        return f"{student_id}.html"
    return f"student-{hashlib.sha256(student_id.encode()).hexdigest()[:12]}.html"


def _summary(result: StudentResult) -> list[str]:
    lines = [
        "<table><caption>Your points</caption>",
        "<tr><th scope='col'>assignment</th><th scope='col'>points</th>"
        "<th scope='col'>of</th><th scope='col'>note</th></tr>",
    ]
    for item in result.assignments:
        score = points_text(item.score) if not item.missing else "not submitted"
        lines.append(
            f"<tr><td>{esc(item.assignment.name)}</td><td>{esc(score)}</td>"
            f"<td>{item.max_points}</td><td class='note'>{esc(item.note)}</td></tr>"
        )
    lines.append(
        f"<tr><th scope='row'>total</th><th>{esc(points_text(result.total))}</th>"
        f"<th>{result.max_points}</th><th></th></tr></table>"
    )
    return lines


def _assignment(item: AssignmentResult, term: Term, student_id: str) -> list[str]:
    lines = [f"<h2>{esc(item.assignment.name)}</h2>"]
    if item.assignment.due is not None:
        lines.append(
            f"<p>Due {esc(item.assignment.due.isoformat(' ', 'minutes'))}.</p>"
        )
    for result in item.notebooks:
        lines.append(f"<h3>{esc(result.notebook)}</h3>")
        if result.submission is None:
            lines.append("<p class='note'>Not submitted.</p>")
            continue
        when = (
            result.submitted.strftime("%Y-%m-%d %H:%M UTC") if result.submitted else "?"
        )
        lines.append(
            f"<p>File <code>{esc(result.submission)}</code>, last changed {esc(when)}"
            f": {esc(points_text(result.earned))} of {result.max_points} "
            "points"
            + (
                f", {esc(points_text(result.earned * result.factor))} after the "
                f"late rule ({result.days_late} day(s) late)"
                if result.days_late
                else ""
            )
            + ".</p>"
        )
        lines += [
            "<table><tr><th scope='col'>question</th><th scope='col'>your answer</th>"
            "<th scope='col'>points</th><th scope='col'>feedback</th></tr>"
        ]
        for row in result.rows:
            answer = term.answers.get((student_id, row.question), row.answer)
            shown = (
                f"{row.points} / {row.max_points}"
                if row.points is not None
                else f"not graded / {row.max_points}"
            )
            by_hand = " (graded by hand)" if row.question in term.rubrics else ""
            lines.append(
                f"<tr><td>{esc(row.question)}{by_hand}</td>"
                f"<td><div class='answer'>{esc(answer)}</div></td>"
                f"<td>{esc(shown)}</td><td>{esc(row.feedback)}</td></tr>"
            )
        lines.append("</table>")
    return lines


def feedback_page(result: StudentResult, term: Term) -> str:
    """The HTML page of one student."""
    student = result.student
    title = f"Feedback for {student.name or student.id} ({student.id})"
    body = [f"<h1>{esc(title)}</h1>", *_summary(result)]
    for item in result.assignments:
        body += _assignment(item, term, student.id)
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{esc(title)}</title><style>{STYLE}</style></head><body>\n"
        + "\n".join(body)
        + "\n</body></html>\n"
    )


def write_feedback(term: Term, folder: Path) -> list[Path]:
    """Write ``folder/<id>.html`` for every roster student; remove the pages
    of a previous run that no longer belong to a student."""
    folder.mkdir(exist_ok=True)
    written = []
    for result in term.students:
        path = folder / feedback_name(result.student.id)
        temporary = path.with_name(f".{path.name}.tmp")
        temporary.write_text(feedback_page(result, term), encoding="utf-8")
        temporary.replace(path)
        written.append(path)
    for stale in set(folder.glob("*.html")) - set(written):
        stale.unlink()
    return written
