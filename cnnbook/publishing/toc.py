"""Derive a table of contents without the solutions, for instructors who keep
them private: ``make book SOLUTIONS=no`` builds from the derived file, so the
one `_toc.yml` stays the only list of pages to maintain."""

from __future__ import annotations

from pathlib import Path

import yaml

SOLUTIONS_CAPTION = "Solutions"


def without_part(toc: dict, caption: str = SOLUTIONS_CAPTION) -> dict:
    """A copy of a Jupyter Book ``jb-book`` toc with the part ``caption`` removed."""
    parts = toc.get("parts")
    if not isinstance(parts, list):
        raise ValueError("toc must be a jb-book table of contents with 'parts'")
    kept = [part for part in parts if part.get("caption") != caption]
    if len(kept) == len(parts):
        captions = [part.get("caption") for part in parts]
        raise ValueError(
            f"caption must name a part of the toc {captions}, got {caption!r}"
        )
    return {**toc, "parts": kept}


def write_public_toc(source: Path, target: Path) -> Path:
    """Write ``source`` without its solutions part to ``target``."""
    toc = yaml.safe_load(Path(source).read_text(encoding="utf-8"))
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(
        yaml.safe_dump(without_part(toc), sort_keys=False), encoding="utf-8"
    )
    return target


def toc_documents(toc: Path | str) -> list[tuple[str | None, str]]:
    """``(part caption, file)`` of the root and every file of a ``jb-book``
    toc, in reading order (the root's caption is None)."""
    data = yaml.safe_load(Path(toc).read_text(encoding="utf-8"))
    found = [(None, data["root"])]

    def walk(caption, entries):
        for entry in entries or []:
            if "file" in entry:
                found.append((caption, entry["file"]))
            walk(caption, entry.get("sections"))

    for part in data.get("parts", []):
        walk(part.get("caption"), part.get("chapters"))
    walk(None, data.get("chapters"))
    return found
