"""The switch that builds the book without the solutions part."""

import pytest
import yaml

from cnnbook.publishing.toc import without_part, write_public_toc
from tests.conftest import REPO


def test_the_real_toc_loses_only_its_solutions(tmp_path):
    out = write_public_toc(REPO / "_toc.yml", tmp_path / "toc.yml")
    full = yaml.safe_load((REPO / "_toc.yml").read_text())
    public = yaml.safe_load(out.read_text())
    assert "Solutions" in [part["caption"] for part in full["parts"]]
    assert [p for p in full["parts"] if p["caption"] != "Solutions"] == public["parts"]
    assert public["root"] == full["root"]
    assert "solutions/" not in out.read_text()


def test_bad_tocs_are_refused():
    with pytest.raises(ValueError, match="toc must be a jb-book"):
        without_part({"root": "intro"})
    with pytest.raises(ValueError, match="caption must name a part"):
        without_part({"parts": [{"caption": "Chapters"}]})
