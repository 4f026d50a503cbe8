"""The page fixes: duplicate inline scripts dropped, a valid theme mode set, no
icon script, markup that axe-core accepts."""

from sphinx.builders.html._assets import _JavaScript

from cnnbook.publishing.sphinx_pages import _page, fix_page, unique_scripts


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


def test_the_icon_script_tag_is_removed_and_nothing_else():
    head = (
        '  <script src="../_static/a.js"></script>\n'
        '  <script defer src="../_static/scripts/fontawesome.js?digest=55c2">'
        "</script>\n"
        '  <link rel="preload" as="script" href="../_static/scripts/bootstrap.js" />\n'
    )
    assert fix_page(head) == (
        '  <script src="../_static/a.js"></script>\n'
        '  <link rel="preload" as="script" href="../_static/scripts/bootstrap.js" />\n'
    )
    assert fix_page(fix_page(head)) == fix_page(head)


def test_the_search_button_is_named_by_its_text_and_entries_are_list_items():
    button = (
        '<button class="btn search-button-field search-button__button pst-js-only" '
        'title="Search" aria-label="Search" data-bs-toggle="tooltip">'
    )
    assert fix_page(button) == button.replace(' aria-label="Search"', "")
    other = '<button class="btn" aria-label="Close">'
    assert fix_page(other) == other
    entry = '<div class="citation" id="id10" role="doc-biblioentry">'
    assert fix_page(entry) == '<div class="citation" id="id10" role="listitem">'
