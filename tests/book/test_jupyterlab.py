"""The notebooks in a real Jupyter front end, as a student on Binder gets them.

Starts JupyterLab from this environment on 127.0.0.1 (a free port, a random
token, no browser), opens copies of an exercise notebook and of chapter 2 in
Debian's Chromium, runs all cells from the Run menu, and checks what the
student sees: every check's feedback, and the live calculator drawn by the
anywidget lab extension and recomputing after an edit. The server is stopped
by its process id. Browser-marked: skips without Chromium, fails when CI=true.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

from cnnbook import calc
from cnnbook.authoring.execute import kernel_env
from cnnbook.authoring.exercises import check_cells
from cnnbook.checks import PREFIXES
from cnnbook.units import format_int
from tests.browser_support import ARTIFACTS, launch, missing, require_browser, watch
from tests.conftest import REPO

EXERCISE = REPO / "exercises" / "02_counting_parameters_and_memory.ipynb"
CHAPTER = REPO / "book" / "02_counting_parameters_and_memory.ipynb"
START_TIMEOUT_S = 90
RUN_TIMEOUT_MS = 180_000
# User settings of the Lab under test: draw every cell (Lab 4 draws only those
# in view by default, and the test reads every output), start the notebook's
# kernel without asking, and fetch no news from the internet.
LAB_SETTINGS = {
    "notebook-extension/tracker": {
        "windowingMode": "none",
        "autoStartDefaultKernel": True,
    },
    "apputils-extension/notification": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def jupyter() -> Path:
    path = Path(sys.executable).parent / "jupyter-lab"
    if not path.is_file():
        missing("jupyterlab is not installed (pip install -r requirements-dev.txt)")
    return path


def fresh_copy(source: Path, folder: Path) -> Path:
    """The notebook without outputs or saved widget state: what runs is new."""
    nb = nbformat.read(source, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nb.metadata.pop("widgets", None)
    target = folder / source.name
    nbformat.write(nb, target)
    return target


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """(base URL, token, notebook folder) of a JupyterLab started here."""
    require_browser()
    lab_bin = jupyter()
    home = tmp_path_factory.mktemp("lab")
    notebooks = home / "notebooks"
    notebooks.mkdir()
    for source in (EXERCISE, CHAPTER):  # same names: one folder each, as in the repo
        (notebooks / source.parent.name).mkdir(exist_ok=True)
        fresh_copy(source, notebooks / source.parent.name)
    for plugin, values in LAB_SETTINGS.items():
        path = home / "settings" / "@jupyterlab" / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    port, token = free_port(), secrets.token_hex(16)
    env = {
        **kernel_env(),  # quiet, seeded TensorFlow in the kernels it starts
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "JUPYTER_DATA_DIR": str(home / "data"),
        "JUPYTER_PLATFORM_DIRS": "1",
    }
    command = [
        str(lab_bin),
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={notebooks}",
        f"--LabApp.user_settings_dir={home / 'settings'}",
        f"--LabApp.workspaces_dir={home / 'workspaces'}",
        "--LabApp.news_url=",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    if os.geteuid() == 0:
        command.append("--allow-root")  # Jupyter refuses root without it
    log = (home / "server.log").open("w")
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, token, server, home / "server.log")
        yield base, token, notebooks
    finally:
        os.kill(server.pid, signal.SIGTERM)  # the server stops its kernels
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.kill(server.pid, signal.SIGKILL)
            server.wait(timeout=10)
        log.close()
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / "jupyterlab-server.log").write_text(
            (home / "server.log").read_text()
        )


def wait_until_up(base: str, token: str, server, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(
                f"JupyterLab exited with {server.returncode}:\n{log.read_text()}"
            )
        try:
            with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"JupyterLab did not answer in {START_TIMEOUT_S} s:\n{log.read_text()}")


@pytest.fixture(scope="module")
def browser():
    sync_playwright = require_browser()
    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


def open_and_run_all(browser, lab, name: str):
    """Open notebook ``name`` (folder/file) in Lab, run all cells from the Run
    menu, and wait until every code cell has run. Returns the page."""
    base, token, _ = lab
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.on("dialog", lambda dialog: dialog.dismiss())
    watch(page)  # nothing leaves 127.0.0.1
    # A workspace of its own: Lab would otherwise reopen the other notebook.
    workspace = secrets.token_hex(4)
    page.goto(
        f"{base}/lab/workspaces/{workspace}/tree/{name}?reset&token={token}",
        wait_until="load",
    )
    page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=60_000)
    # Running before the kernel is ready races Lab's kernel start-up.
    page.wait_for_function(
        """() => [...document.querySelectorAll('.jp-StatusBar-TextItem')]
            .some((item) => /\\(ipykernel\\) \\| Idle$/.test(item.textContent))""",
        timeout=90_000,
    )
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
    try:
        page.wait_for_function(
            """() => {
                const prompts = [...document.querySelectorAll(
                    '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell '
                    + '.jp-InputPrompt')];
                return prompts.length > 0
                    && prompts.every((p) => /\\[\\d+\\]/.test(p.textContent));
            }""",
            timeout=RUN_TIMEOUT_MS,
        )
    except Exception:
        ARTIFACTS.mkdir(exist_ok=True)
        stuck = name.replace("/", "__")
        page.screenshot(path=str(ARTIFACTS / f"jupyterlab-stuck-{stuck}.png"))
        prompts = page.locator(".jp-CodeCell .jp-InputPrompt").all_inner_texts()
        pytest.fail(f"{name}: not every cell ran in Lab; prompts {prompts}")
    return page


def outputs(page) -> list[str]:
    return page.locator(
        ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output"
    ).all_inner_texts()


@pytest.mark.browser
def test_an_exercise_runs_in_jupyterlab_and_every_check_answers(browser, lab):
    page = open_and_run_all(browser, lab, f"exercises/{EXERCISE.name}")
    try:
        shown = outputs(page)
        page.screenshot(path=str(ARTIFACTS / "jupyterlab-exercise.png"))
        errors = page.locator(
            ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
        ).count()
        assert errors == 0, shown
        feedback = [text for text in shown if text.startswith(PREFIXES["unanswered"])]
        checks = check_cells(nbformat.read(EXERCISE, as_version=4))
        assert len(feedback) == len(checks), shown
    finally:
        page.close()


@pytest.mark.browser
def test_a_calculator_renders_and_recomputes_in_jupyterlab(browser, lab):
    page = open_and_run_all(browser, lab, f"book/{CHAPTER.name}")
    try:
        calculator = page.locator(".jp-OutputArea-output .cnnbook-live-calculator")
        calculator.wait_for(timeout=30_000)
        seed = [calc.Conv2D(f, 3, strides=2, padding="same") for f in (100, 200, 400)]
        shape = (200, 300, 3)

        def parameters() -> str:
            rows = calculator.locator(".cnnbook-results table").nth(1).locator("tr")
            row = rows.filter(has_text="parameters").first
            return row.locator("td").nth(1).inner_text()

        assert parameters() == format_int(calc.analyze(shape, seed).params)
        first = calculator.locator(".cnnbook-layer").nth(0)
        first.locator('input[name="filters"]').fill("64")
        layers = [calc.Conv2D(64, 3, strides=2, padding="same"), *seed[1:]]
        expected = format_int(calc.analyze(shape, layers).params)
        page.wait_for_function(
            "([el, want]) => el.innerText.includes(want)",
            arg=[calculator.element_handle(), expected],
            timeout=5_000,
        )
        assert parameters() == expected
        page.screenshot(path=str(ARTIFACTS / "jupyterlab-calculator.png"))
        practice = page.locator(".jp-OutputArea-output .cnnbook-practice")
        assert practice.count() == 1
        practice.locator('input[name="params"]').fill("12")
        practice.locator('[data-question="params"] button').click()
        verdict = practice.locator('[data-question="params"] .cnnbook-feedback')
        assert verdict.inner_text().startswith("Not quite: ")
    finally:
        page.close()


def test_the_launch_buttons_open_jupyterlab_and_colab_at_the_books_branch():
    """Binder's button opens JupyterLab; Colab's opens the branch whose package
    the Colab install cell installs (cnnbook/authoring/colab.py)."""
    from cnnbook.project import read_source
    from tests.browser_support import build_book

    page = build_book() / "exercises" / EXERCISE.with_suffix(".html").name
    html = page.read_text(encoding="utf-8")
    source = read_source()
    repo = source.url.removeprefix("https://github.com/").rstrip("/")
    binder = f"/v2/gh/{repo}/{source.ref}?urlpath=lab/tree/exercises/{EXERCISE.name}"
    colab = f"/github/{repo}/blob/{source.ref}/exercises/{EXERCISE.name}"
    assert binder in html and colab in html
