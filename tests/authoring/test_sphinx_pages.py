"""The page fixes: duplicate inline scripts dropped, a valid theme mode set."""

from sphinx.builders.html._assets import _JavaScript

from cnnbook.authoring.sphinx_pages import _page, unique_scripts


def test_duplicate_inline_scripts_are_dropped_in_order():
    body = 'const THEBE_JS_URL = "x";'
    scripts = [
        _JavaScript(None, body=body),
        _JavaScript("a.js"),
        _JavaScript("", body=body),
        _JavaScript("a.js", defer="defer"),
        _JavaScript("a.js"),
    ]
    kept = unique_scripts(scripts)
    assert [(s.filename, s.attributes) for s in kept] == [
        (None, {"body": body}),
        ("a.js", {}),
        ("a.js", {"defer": "defer"}),
    ]


def test_page_context_gets_a_theme_mode_unless_set():
    context = {"script_files": [_JavaScript("a.js"), _JavaScript("a.js")]}
    _page(None, "p", "page.html", context, None)
    assert context["default_mode"] == "auto" and len(context["script_files"]) == 1
    context = {"default_mode": "dark"}
    _page(None, "p", "page.html", context, None)
    assert context["default_mode"] == "dark"
