"""Which edition of the book a build is: a release (a tag ``vX.Y``) or the
development edition (a branch), and where its web edition lives.

Everything follows from the two lines of ``_config.yml`` under ``repository``:
``url`` (the repository's public address) and ``branch`` (the git ref the
launch buttons open and the Colab install cells install from). On ``main`` the
ref is ``main``; ``make release VERSION=1.0`` (:mod:`cnnbook.publishing.release`)
writes a commit whose ref is its own tag ``v1.0``, so a book built from that tag
names its edition, and every link and install cell in it points at the tag.

The page footer (:mod:`cnnbook.publishing.sphinx_edition`) and the PDF's cover
and footer (:mod:`cnnbook.publishing.pdf`) show :attr:`Edition.label`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from cnnbook.project import CONFIG, read_source

RELEASE_VERSION = re.compile(r"^\d+\.\d+(\.\d+)?$")
RELEASE_TAG = re.compile(r"^v(\d+\.\d+(\.\d+)?)$")
GITHUB = re.compile(r"^https://github\.com/([A-Za-z0-9-]+)/([A-Za-z0-9._-]+?)/?$")


def release_tag(version: str) -> str:
    """The git tag of a release: ``1.0`` -> ``v1.0`` (``x.y`` or ``x.y.z``)."""
    if not isinstance(version, str) or not RELEASE_VERSION.match(version):
        raise ValueError(
            f"version must be x.y or x.y.z in digits (e.g. 1.0 or 2027.1), "
            f"got {version!r}"
        )
    return f"v{version}"


def web_url(repository: str, baseurl: str | None = None) -> str | None:
    """The web edition's address: ``baseurl`` when set (``html.baseurl`` in
    ``_config.yml``), else GitHub Pages' address for a github.com repository
    (``https://github.com/Owner/name`` -> ``https://owner.github.io/name/``),
    else None."""
    if baseurl:
        return baseurl.rstrip("/") + "/"
    match = GITHUB.match(repository or "")
    if not match:
        return None
    owner, name = match.group(1).lower(), match.group(2)
    if name.lower() == f"{owner}.github.io":
        return f"https://{owner}.github.io/"
    return f"https://{owner}.github.io/{name}/"


@dataclass(frozen=True)
class Edition:
    """A build's edition: the repository, the ref it pins, the web address."""

    repository: str
    ref: str
    web: str | None = None

    @property
    def version(self) -> str | None:
        """``1.0`` for a release tag ``v1.0``; None for a branch."""
        match = RELEASE_TAG.match(self.ref)
        return match.group(1) if match else None

    @property
    def label(self) -> str:
        """One line for a footer: what this edition is and what it opens."""
        if self.version:
            return (
                f"Edition {self.version}: notebooks, launch buttons and install "
                f"cells pinned to the tag {self.ref}"
            )
        return (
            f"Development edition (branch {self.ref}): launch buttons open "
            f"{self.ref}, which changes"
        )


def read_edition(config: Path | str = CONFIG) -> Edition:
    """The edition ``_config.yml`` describes."""
    import yaml

    source = read_source(config)
    settings = yaml.safe_load(Path(config).read_text(encoding="utf-8")) or {}
    baseurl = (settings.get("html") or {}).get("baseurl")
    return Edition(source.url, source.ref, web_url(source.url, baseurl))
