"""The built book shows the computed numbers and the stored widget state."""

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

HTML = REPO / "_build" / "html"
CHAPTER_2 = HTML / "book" / "02_counting_parameters_and_memory.html"


@pytest.fixture(scope="module")
def chapter_2() -> str:
    """The chapter's HTML; built here when `make book` has not run yet."""
    if not CHAPTER_2.is_file():
        jupyter_book = Path(sys.executable).with_name("jupyter-book")
        subprocess.run(
            [str(jupyter_book), "build", str(REPO), "-W", "-n", "--keep-going"],
            check=True,
            capture_output=True,
        )
    return CHAPTER_2.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "number",
    [
        "903,400",
        "2,800",
        "180,200",
        "720,400",  # parameters
        "100 x 150 x 100",
        "50 x 75 x 200",
        "25 x 38 x 400",  # feature maps
        "12,613,600",
        "12.6",
        "565,613,600",
        "565.6",  # prediction and training
        "14.1",
        "564.6",
        "563.6",
        "902,700",
        "12.0",  # the hand estimates
    ],
)
def test_chapter_2_shows_the_computed_numbers(chapter_2, number):
    assert number in chapter_2


def test_glue_references_are_all_resolved(chapter_2):
    assert "{glue:text}" not in chapter_2 and "glue:text" not in chapter_2


def test_calculator_state_is_stored_for_the_static_page(chapter_2):
    assert "application/vnd.jupyter.widget-state+json" in chapter_2
    assert "application/vnd.jupyter.widget-view+json" in chapter_2
    assert "memory for one prediction" in chapter_2
