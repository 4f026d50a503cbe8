"""report.html: the class at a glance, for the instructor.

The questions the class missed most, first; for each question the
distribution of points over the submitted notebooks (a bar chart, embedded
as a PNG data URI with alt text) and the mistakes the checks named, most
frequent first; the stragglers (missing or late work, or under half the
points); the problems (folders the roster does not know, files the grader
skipped, questions it could not grade, hand grades still to give).
"""

from __future__ import annotations

import base64
import io
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from matplotlib.figure import Figure

from cnnbook.grading.results import Row
from cnnbook.term.build import Term, points_text
from cnnbook.term.feedback import STYLE, esc

__all__ = ["QuestionStats", "question_stats", "report_page", "write_report"]

MISTAKES_SHOWN = 3


@dataclass
class QuestionStats:
    notebook: str
    question: str
    max_points: int
    points: list[int]
    """The points of each graded answer."""
    not_graded: int
    mistakes: list[tuple[str, int]]
    """The feedback given to answers short of full marks, most frequent first."""

    @property
    def full(self) -> int:
        return sum(p == self.max_points for p in self.points)

    @property
    def share_full(self) -> float:
        return self.full / len(self.points) if self.points else 1.0


def _mistake(feedback: str) -> str:
    """The named mistake of a feedback text: its first sentence."""
    text = " ".join(feedback.split())
    for end in (". ", "; "):
        if end in text:
            text = text.split(end, 1)[0] + end.strip()
            break
    return text[:160]


def question_stats(term: Term) -> list[QuestionStats]:
    """Every question of every notebook, over the counted submissions of the
    roster's students, in the notebooks' order."""
    rows: dict[str, list[Row]] = {}
    for result in term.students:
        for item in result.assignments:
            for notebook in item.notebooks:
                for row in notebook.rows:
                    rows.setdefault(row.question, []).append(row)
    stats = []
    for notebook, questions in term.questions.items():
        for qid, max_points in questions:
            answered = rows.get(qid, [])
            graded = [row for row in answered if row.status == "graded"]
            mistakes = Counter(
                _mistake(row.feedback)
                for row in graded
                if (row.points or 0) < max_points
            )
            stats.append(
                QuestionStats(
                    notebook,
                    qid,
                    max_points,
                    [row.points or 0 for row in graded],
                    len(answered) - len(graded),
                    mistakes.most_common(),
                )
            )
    return stats


def distribution_png(stats: QuestionStats) -> tuple[str, str]:
    """(data URI of the bar chart of ``stats``' points, its alt text)."""
    values = list(range(stats.max_points + 1))
    counts = Counter(stats.points)
    heights = [counts.get(v, 0) for v in values]
    labels = [str(v) for v in values]
    if stats.not_graded:
        labels.append("not graded")
        heights.append(stats.not_graded)
    fig = Figure(figsize=(4.2, 2.4))  # no pyplot: whatever backend is in use
    ax = fig.subplots()
    colours = ["#d1615d"] * len(values)
    colours[-1] = "#6a9f58"
    colours += ["#9a9a9a"] * (len(labels) - len(values))
    ax.bar(labels, heights, color=colours)
    ax.set_xlabel(f"points (of {stats.max_points})")
    ax.set_ylabel("students")
    ax.set_title(
        f"{stats.question}: {stats.full} of {len(stats.points)} full marks",
        fontsize="medium",
    )
    ax.spines[["top", "right"]].set_visible(False)
    ax.yaxis.get_major_locator().set_params(integer=True)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=80)
    parts = [f"{h} with {label}" for label, h in zip(labels, heights, strict=True)]
    alt = (
        f"Bar chart of the points on {stats.question} (of {stats.max_points}): "
        f"{', '.join(parts)}."
    )
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode(), alt


def _stragglers(term: Term) -> list[str]:
    lines = [
        "<table><tr><th scope='col'>id</th><th scope='col'>name</th>"
        "<th scope='col'>total</th><th scope='col'>why</th></tr>"
    ]
    count = 0
    for result in sorted(term.students, key=lambda r: (r.total, r.student.id)):
        missing = [a.assignment.name for a in result.assignments if a.missing]
        late = [
            a.assignment.name
            for a in result.assignments
            if any(nb.days_late for nb in a.notebooks)
        ]
        low = result.max_points and result.total < result.max_points / 2
        why = []
        if missing:
            why.append(f"missing: {', '.join(missing)}")
        if late:
            why.append(f"late: {', '.join(late)}")
        if low:
            why.append("under half the points")
        if why:
            count += 1
            lines.append(
                f"<tr><td>{esc(result.student.id)}</td><td>{esc(result.student.name)}"
                f"</td><td>{esc(points_text(result.total))} / {result.max_points}</td>"
                f"<td>{esc('; '.join(why))}</td></tr>"
            )
    lines.append("</table>")
    return lines if count else ["<p>None: every student submitted everything.</p>"]


def _problems(term: Term) -> list[str]:
    items = [f"a folder the roster does not know: {name}" for name in term.unknown]
    items += [f"nothing submitted: {s.id} ({s.name})" for s in term.absent]
    items += term.problems
    items += [
        f"{row.submission}, {row.question}: {row.status}"
        for row in term.rows
        if row.status.startswith("not graded") and "by hand" not in row.status
    ]
    if term.pending:
        items.append(f"{term.pending} answers to grade by hand (manual.csv)")
    items += term.notices
    if not items:
        return ["<p>None.</p>"]
    return ["<ul>", *[f"<li>{esc(item)}</li>" for item in items], "</ul>"]


def report_page(term: Term) -> str:
    """The HTML page of the class report."""
    stats = question_stats(term)
    submitted = len(term.students) - len(term.absent)
    body = [
        "<h1>Class report</h1>",
        f"<p>{len(term.students)} students on the roster, {submitted} submitted "
        f"something; {term.pending} answers wait for a hand grade.</p>",
        "<h2>What the class missed</h2>",
        "<table><tr><th scope='col'>question</th><th scope='col'>full marks</th>"
        "<th scope='col'>most frequent mistake</th></tr>",
    ]
    for item in sorted(stats, key=lambda s: (s.share_full, s.question)):
        mistake = (
            f"{item.mistakes[0][0]} ({item.mistakes[0][1]})" if item.mistakes else ""
        )
        body.append(
            f"<tr><td><a href='#{esc(item.question)}'>{esc(item.question)}</a></td>"
            f"<td>{item.full} of {len(item.points)}</td><td>{esc(mistake)}</td></tr>"
        )
    body.append("</table>")
    body.append("<h2>Stragglers</h2>")
    body += _stragglers(term)
    body.append("<h2>Problems</h2>")
    body += _problems(term)
    body.append("<h2>Each question</h2>")
    notebook = None
    for item in stats:
        if item.notebook != notebook:
            notebook = item.notebook
            body.append(f"<h3>{esc(notebook)}</h3>")
        uri, alt = distribution_png(item)
        body.append(
            f"<section id='{esc(item.question)}'><h4>{esc(item.question)}</h4>"
            f"<img src='{uri}' alt='{esc(alt)}' width='336' height='192'>"
        )
        if item.mistakes:
            body.append("<ul>")
            for text, count in item.mistakes[:MISTAKES_SHOWN]:
                body.append(f"<li>{count} &times; {esc(text)}</li>")
            body.append("</ul>")
        body.append("</section>")
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        "<title>Class report</title>"
        f"<style>{STYLE}</style></head><body>\n"
        + "\n".join(body)
        + "\n</body></html>\n"
    )


def write_report(term: Term, path: Path) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(report_page(term), encoding="utf-8")
    temporary.replace(path)
