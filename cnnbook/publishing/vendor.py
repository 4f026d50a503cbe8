"""Re-vendor the pinned JavaScript the published book serves from `vendor/`.

For maintainers only: it is never run by the build or the tests. It runs
`npm pack <name>@<version>` for each pinned package in a temporary folder,
checks the tarball against the registry's integrity string, copies the files
the book serves (and each package's licence), and rewrites
`_extra/vendor/README.md` and `_extra/vendor/manifest.json`, which record
name, version, source, licence, size and the SHA-384 integrity of every file.

    cnnbook vendor            # re-vendor everything
    cnnbook vendor --check    # only compare hashes on disk

After re-vendoring, copy the printed integrity string of the file named in
`_config.yml` (`nb_ipywidgets_js`) into it; `tests/book/test_browser.py` fails
when they differ from what is served. Math needs no script: the build
typesets it as MathML (`cnnbook/publishing/sphinx_mathml.py`).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cnnbook.project import REPO

# Not under `_static/`: Jupyter Book 1 adds every .js file found there to every
# page. `_extra/` is Sphinx's html_extra_path, copied as is to `_build/html/`.
VENDOR = REPO / "_extra" / "vendor"


@dataclass(frozen=True)
class Package:
    """One npm package: which of its files the book serves, and where."""

    name: str
    version: str
    folder: str
    licence: str
    files: tuple[str, ...]  # paths inside the package; a trailing / copies a folder
    licence_file: str | None = "LICENSE"
    note: str = ""


PACKAGES = (
    Package(
        "requirejs",
        "2.3.7",
        "requirejs",
        "MIT",
        ("require.js",),
        licence_file=None,
        note="AMD loader for the html-manager fallback; 2.3.7 fixes "
        "CVE-2024-38999 (MyST-NB's default is 2.3.4 from cdnjs). The "
        "package ships no licence file: LICENSE is the MIT text its "
        "header points to.",
    ),
    Package(
        "@jupyter-widgets/html-manager",
        "1.0.6",
        "html-manager",
        "BSD-3-Clause",
        ("dist/embed-amd.js",),
        note="The version MyST-NB 1.4 loads by default; renders ipywidgets "
        "state on pages that hold widgets other than anywidgets.",
    ),
    Package(
        "anywidget",
        "0.11.0",
        "anywidget",
        "MIT",
        ("dist/index.js",),
        note="AMD build, the front end of the Python anywidget 0.11.0 pin; "
        "loaded by the html-manager fallback only.",
    ),
)

MIT_REQUIREJS = """\
Copyright jQuery Foundation and other contributors, https://jquery.org/

This software consists of voluntary contributions made by many individuals.
For exact contribution history, see the revision history available at
https://github.com/requirejs/requirejs

MIT License (https://github.com/requirejs/requirejs/blob/master/LICENSE)

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in
all copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN
THE SOFTWARE.
"""


def integrity(path: Path) -> str:
    """The `integrity` attribute value (SHA-384, base64) of a file's bytes."""
    digest = hashlib.sha384(path.read_bytes()).digest()
    return "sha384-" + base64.b64encode(digest).decode()


def _npm_pack(package: Package, workdir: Path) -> Path:
    spec = f"{package.name}@{package.version}"
    meta = json.loads(
        subprocess.run(
            ["npm", "pack", spec, "--json"],
            cwd=workdir,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )[0]
    tarball = workdir / meta["filename"]
    expected = meta["integrity"]
    algo, _, b64 = expected.partition("-")
    actual = base64.b64encode(hashlib.new(algo, tarball.read_bytes()).digest())
    if actual.decode() != b64:
        raise RuntimeError(f"{spec}: tarball does not match its integrity {expected}")
    out = workdir / package.folder
    with tarfile.open(tarball) as tar:
        tar.extractall(out, filter="data")
    return out / "package"


def vendor(packages=PACKAGES, target: Path = VENDOR) -> dict:
    """Fetch, copy and record every package; returns the manifest."""
    manifest = {}
    with tempfile.TemporaryDirectory() as tmp:
        for package in packages:
            source = _npm_pack(package, Path(tmp))
            dest = target / package.folder
            shutil.rmtree(dest, ignore_errors=True)
            for item in package.files:
                src = source / item
                if item.endswith("/"):
                    shutil.copytree(src, dest / item)
                else:
                    (dest / item).parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(src, dest / item)
            if package.licence_file:
                shutil.copy2(source / package.licence_file, dest / "LICENSE")
            else:
                (dest / "LICENSE").write_text(MIT_REQUIREJS)
            manifest[package.folder] = _record(package, dest)
    _write_records(manifest, target)
    return manifest


def _record(package: Package, dest: Path) -> dict:
    files = sorted(p for p in dest.rglob("*") if p.is_file())
    return {
        "name": package.name,
        "version": package.version,
        "source": f"https://registry.npmjs.org/{package.name}/-/"
        f"{package.name.split('/')[-1]}-{package.version}.tgz",
        "licence": package.licence,
        "note": package.note,
        "files": {
            str(p.relative_to(dest)): {
                "bytes": p.stat().st_size,
                "integrity": integrity(p),
            }
            for p in files
        },
    }


def _write_records(manifest: dict, target: Path) -> None:
    (target / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    lines = [
        "# Vendored JavaScript",
        "",
        "Served from the book's own `vendor/` folder (`_extra/vendor/` in the",
        "repository, copied to the site's root by Sphinx's `html_extra_path`) so that",
        "pages load nothing from third-party hosts. Regenerate with",
        "`cnnbook vendor`",
        "(needs npm and the registry; never run by the build or the tests).",
        "`manifest.json` lists every file with its size and SHA-384 integrity.",
        "",
        "| folder | npm package | version | licence | bytes | source |",
        "|---|---|---|---|---|---|",
    ]
    for folder, rec in manifest.items():
        size = sum(f["bytes"] for f in rec["files"].values())
        lines.append(
            f"| `{folder}/` | `{rec['name']}` | {rec['version']} | "
            f"{rec['licence']} (`{folder}/LICENSE`) | {size:,} | "
            f"{rec['source']} |"
        )
    lines.append("")
    lines += [f"- `{folder}/`: {rec['note']}" for folder, rec in manifest.items()]
    (target / "README.md").write_text("\n".join(lines) + "\n")


def check(target: Path = VENDOR) -> list[str]:
    """Files whose bytes no longer match the manifest (empty when all match)."""
    manifest = json.loads((target / "manifest.json").read_text())
    bad = []
    for folder, rec in manifest.items():
        for name, info in rec["files"].items():
            path = target / folder / name
            if not path.is_file() or integrity(path) != info["integrity"]:
                bad.append(f"{folder}/{name}")
    return bad


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="cnnbook vendor", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="only compare the files on disk with manifest.json",
    )
    args = parser.parse_args(argv)
    if args.check:
        bad = check()
        print("\n".join(bad) if bad else "all vendored files match manifest.json")
        return 1 if bad else 0
    manifest = vendor()
    for package in PACKAGES:
        files = manifest[package.folder]["files"]
        for name in package.files:
            if name in files:  # entry points, not copied folders
                print(f"{package.folder}/{name}: {files[name]['integrity']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
