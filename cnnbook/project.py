"""The repository as the tools see it: where it is, and what its files declare.

One place for what several tools read: the checkout's root (:data:`REPO`),
``_config.yml``'s repository address and ref (:func:`read_source`, which the
Colab install cell, the edition, the PDF and releases all follow) and the
exact pins of ``requirements.txt`` (:func:`read_pins`). Meaningful in a
checkout of the repository (an installed wheel has no ``_config.yml``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "CONFIG",
    "REPO",
    "REQUIREMENTS",
    "SOURCES",
    "InstallSource",
    "read_pins",
    "read_source",
]

REPO = Path(__file__).resolve().parents[1]
"""The checkout's root: the folder that holds ``_config.yml`` and ``cnnbook/``."""
CONFIG = REPO / "_config.yml"
REQUIREMENTS = REPO / "requirements.txt"
SOURCES = REPO / "notebooks"
"""The instructor's exercise sources (``notebooks/NN_slug.ipynb``)."""
_REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]*$")


@dataclass(frozen=True)
class InstallSource:
    """Where the cell installs cnnbook from: a git repository and a ref in it."""

    url: str
    ref: str

    def __post_init__(self) -> None:
        if not re.match(r"^(https://|file://)\S+$", self.url or ""):
            raise ValueError(
                f"url must be an https:// (or file://) repository address, "
                f"got {self.url!r}"
            )
        if not _REF.match(self.ref or "") or ".." in self.ref:
            raise ValueError(
                f"ref must be a git branch, tag or commit name, got {self.ref!r}"
            )

    @property
    def requirement(self) -> str:
        """The pip requirement for cnnbook at this ref."""
        return f"cnnbook @ git+{self.url.rstrip('/')}@{self.ref}"


def read_source(config: Path | str = CONFIG, ref: str | None = None) -> InstallSource:
    """The repository address and ref from ``_config.yml`` (``repository.url``,
    ``repository.branch``); ``ref`` replaces the branch, e.g. with a tag."""
    import yaml

    settings = yaml.safe_load(Path(config).read_text(encoding="utf-8")) or {}
    repository = settings.get("repository") or {}
    if not repository.get("url"):
        raise ValueError(f"config {str(config)!r} sets no repository.url")
    return InstallSource(repository["url"], ref or repository.get("branch") or "main")


def read_pins(
    requirements: Path | str = REQUIREMENTS, names: Iterable[str] = ()
) -> dict[str, str]:
    """``{name: version}`` of the ``name==version`` lines of a requirements file
    for each of ``names``; a name without an exact pin is a ``ValueError``."""
    pins = {}
    for line in Path(requirements).read_text(encoding="utf-8").splitlines():
        name, sep, version = line.split("#")[0].strip().partition("==")
        if sep:
            pins[name.strip().lower()] = version.strip()
    missing = [name for name in names if name not in pins]
    if missing:
        raise ValueError(
            f"requirements {str(requirements)!r} pins no exact version of {missing}"
        )
    return {name: pins[name] for name in names}
