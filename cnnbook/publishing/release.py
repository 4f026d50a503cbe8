"""Releases for a term: a tag that the book, Binder and Colab all pin.

Students open notebooks from the published book in Binder or Colab; if those
open ``main``, the notebooks change under a class in the middle of a term. A
release freezes them. ``make release VERSION=1.0`` (:func:`make_release`):

1. refuses a working tree with uncommitted changes (the tag must be what was
   committed) and a tag that exists;
2. in a temporary worktree of ``HEAD`` (your own checkout is not touched),
   sets ``repository.branch`` in ``_config.yml`` to the tag ``v1.0`` and
   rewrites the Colab install cell of every notebook in ``book/``,
   ``exercises/`` and ``solutions/`` to install ``cnnbook`` at that tag
   (:func:`pin`);
3. commits that and tags the commit ``v1.0``; the commit is on no branch, so
   ``main`` keeps following ``main``.

``git push origin v1.0`` then publishes it: the workflow checks that the tag
is such a release (:func:`check`, ``cnnbook release
--check v1.0``), builds the book from it and deploys. Everything in a book
built from the tag (launch buttons, the footer's edition, the install cells,
the PDF) names the tag, because everything derives from ``_config.yml``
(:mod:`cnnbook.publishing.edition`).
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from pathlib import Path

import nbformat

from cnnbook.authoring import colab
from cnnbook.project import REPO, InstallSource, read_source
from cnnbook.publishing.edition import release_tag

NOTEBOOK_FOLDERS = ("book", "exercises", "solutions")
# The `branch:` line inside the top-level `repository:` block of _config.yml.
_BRANCH_LINE = re.compile(
    r"(^repository:[ \t]*\n(?:[ \t]+.*\n|[ \t]*#.*\n|[ \t]*\n)*?[ \t]+branch:[ \t]*)"
    r"([^\s#]+)",
    re.MULTILINE,
)


def with_ref(config_text: str, ref: str) -> str:
    """``_config.yml``'s text with ``repository.branch`` set to ``ref``; every
    other line (comments included) kept as it is."""
    InstallSource("https://example.org/x", ref)  # validates the ref
    new, count = _BRANCH_LINE.subn(lambda m: m.group(1) + ref, config_text, count=1)
    if count != 1:
        raise ValueError(
            "config must have a top-level 'repository:' block with a 'branch:' "
            "line; none was found"
        )
    return new


def notebooks(root: Path | str = REPO) -> list[Path]:
    """The notebooks a reader can open in Binder or Colab (they carry the
    install cell)."""
    root = Path(root)
    return sorted(
        p for folder in NOTEBOOK_FOLDERS for p in (root / folder).glob("*.ipynb")
    )


def pin(root: Path | str, ref: str, log=None) -> list[Path]:
    """Point the checkout at ``root`` to ``ref``: ``_config.yml``'s branch and
    every notebook's install cell. Returns the files that changed."""
    root = Path(root)
    config = root / "_config.yml"
    text = config.read_text(encoding="utf-8")
    changed = []
    pinned = with_ref(text, ref)
    if pinned != text:
        config.write_text(pinned, encoding="utf-8")
        changed.append(config)
    results = colab.update_files(
        notebooks(root), log=log, config=config, requirements=root / "requirements.txt"
    )
    return changed + [path for path, was_changed in results if was_changed]


def check(root: Path | str, ref: str) -> list[str]:
    """What in the checkout at ``root`` does not name ``ref``: ``_config.yml``'s
    branch and each notebook's install cell. Empty when all of it does."""
    root = Path(root)
    problems = []
    configured = read_source(root / "_config.yml").ref
    if configured != ref:
        problems.append(f"_config.yml: repository.branch is {configured!r}")
    found = notebooks(root)
    if not found:
        problems.append(f"no notebook in {', '.join(NOTEBOOK_FOLDERS)}")
    for path in found:
        installed = colab.installed_ref(nbformat.read(path, as_version=4))
        if installed != ref:
            problems.append(
                f"{path.relative_to(root)}: install cell installs {installed!r}"
            )
    return problems


def _git(*args: str, cwd: Path) -> str:
    result = subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise ValueError(f"git {' '.join(args)} failed: {result.stderr.strip()}")
    return result.stdout


def make_release(version: str, repo: Path | str = REPO, log=print) -> str:
    """Tag a release of ``HEAD`` (see the module docstring); returns the tag."""
    repo = Path(repo)
    tag = release_tag(version)
    if _git("status", "--porcelain", "--untracked-files=no", cwd=repo).strip():
        raise ValueError(
            "the working tree has uncommitted changes: commit them first, the "
            "release is made from HEAD"
        )
    existing = subprocess.run(
        ["git", "rev-parse", "-q", "--verify", f"refs/tags/{tag}"],
        cwd=repo,
        capture_output=True,
        check=False,
    )
    if existing.returncode == 0:
        raise ValueError(f"version {version!r}: the tag {tag} exists already")
    head = _git("rev-parse", "--short", "HEAD", cwd=repo).strip()
    with tempfile.TemporaryDirectory(prefix="cnnbook-release-") as scratch:
        tree = Path(scratch) / "tree"
        _git("worktree", "add", "--quiet", "--detach", str(tree), "HEAD", cwd=repo)
        try:
            changed = pin(tree, tag)
            _git("add", "--", *(str(p.relative_to(tree)) for p in changed), cwd=tree)
            message = (
                f"Release {tag}: launch buttons and Colab install cells pinned to "
                f"{tag}\n\nMade by `make release VERSION={version}` from {head}; "
                "this commit is on no branch, main keeps following main."
            )
            _git("commit", "--quiet", "-m", message, cwd=tree)
            _git("tag", "-a", tag, "-m", f"Release {tag} (from {head})", cwd=tree)
        finally:
            _git("worktree", "remove", "--force", str(tree), cwd=repo)
    if log:
        log(
            f"Tagged {tag} ({len(changed)} files pinned to it; your checkout is "
            f"unchanged). Publish it with: git push origin {tag}"
        )
    return tag
