"""Allow-list HTML sanitizer for agent-written free-form UI, built on the standard html.parser.

Anything not explicitly allowed is either dropped (active content: scripts, frames, images, their
payloads) or escaped so it shows as text. Qt-free, so it can be tested and reused headless.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

__all__ = ["ALLOWED_TAGS", "sanitize_html"]

ALLOWED_TAGS = frozenset(
    [
        "p",
        "br",
        "b",
        "strong",
        "i",
        "em",
        "u",
        "h1",
        "h2",
        "h3",
        "h4",
        "ul",
        "ol",
        "li",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "code",
        "pre",
        "blockquote",
        "span",
        "div",
        "a",
        "hr",
    ]
)
_VOID_TAGS = frozenset({"br", "hr"})
# Dropped together with everything inside them.
_DROP_WITH_CONTENT = frozenset(
    [
        "script",
        "style",
        "iframe",
        "object",
        "embed",
        "noscript",
        "template",
        "svg",
        "math",
        "title",
        "head",
        "frameset",
        "frame",
        "applet",
    ]
)
# Dropped silently (void or harmless wrappers whose text content is kept).
_DROP_TAG_ONLY = frozenset(
    ["img", "link", "meta", "base", "source", "track", "param", "input", "video", "audio", "picture"]
)

_GLOBAL_ATTRS = frozenset({"style", "title"})
_TAG_ATTRS: dict[str, frozenset[str]] = {
    "a": frozenset({"href"}),
    "td": frozenset({"colspan", "rowspan", "align"}),
    "th": frozenset({"colspan", "rowspan", "align"}),
    "table": frozenset({"border", "cellpadding", "cellspacing"}),
    "ol": frozenset({"start"}),
}
_NUMERIC_ATTRS = frozenset({"colspan", "rowspan", "border", "cellpadding", "cellspacing", "start"})
_ALLOWED_SCHEMES = frozenset({"http", "https", "mailto"})

_COLOUR = r"(#[0-9a-f]{3,8}|[a-z]{3,20}|rgba?\(\s*[\d.%\s,]+\))"
_STYLE_RULES: dict[str, re.Pattern[str]] = {
    "color": re.compile(_COLOUR),
    "background-color": re.compile(_COLOUR),
    "font-weight": re.compile(r"normal|bold|bolder|lighter|[1-9]00"),
    "text-align": re.compile(r"left|right|center|justify"),
}
_CONTROL_OR_SPACE = re.compile(r"[\x00-\x20\x7f-\x9f]+")


def clean_url(url: str) -> str | None:
    """`url` if it is an absolute http/https/mailto URL, else None (javascript:, data:, relative...)."""
    compact = _CONTROL_OR_SPACE.sub("", url)
    try:
        scheme = urlsplit(compact).scheme.lower()
    except ValueError:
        return None
    return compact if scheme in _ALLOWED_SCHEMES else None


def clean_style(style: str) -> str:
    """Keep only colour, background colour, font weight and text alignment declarations."""
    kept: list[str] = []
    for declaration in style.split(";"):
        name, _, value = declaration.partition(":")
        name, value = name.strip().lower(), value.strip().lower()
        rule = _STYLE_RULES.get(name)
        if rule is not None and rule.fullmatch(value):
            kept.append(f"{name}: {value}")
    return "; ".join(kept)


def _clean_attrs(tag: str, attrs: list[tuple[str, str | None]]) -> str:
    allowed = _GLOBAL_ATTRS | _TAG_ATTRS.get(tag, frozenset())
    parts: list[str] = []
    for name, value in attrs:
        name = name.lower()
        if name not in allowed or value is None:
            continue
        if name == "href":
            value = clean_url(value)
        elif name == "style":
            value = clean_style(value) or None
        elif name in _NUMERIC_ATTRS:
            value = value.strip() if value.strip().isdigit() and len(value.strip()) <= 3 else None
        if value is not None:
            parts.append(f' {name}="{html.escape(value, quote=True)}"')
    return "".join(parts)


class _Sanitizer(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.open: list[str] = []
        self.skip: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.skip:
            if tag in _DROP_WITH_CONTENT:
                self.skip.append(tag)
            return
        if tag in _DROP_WITH_CONTENT:
            self.skip.append(tag)
        elif tag in ALLOWED_TAGS:
            self.out.append(f"<{tag}{_clean_attrs(tag, attrs)}>")
            if tag not in _VOID_TAGS:
                self.open.append(tag)
        elif tag not in _DROP_TAG_ONLY:
            self.out.append(html.escape(self.get_starttag_text() or f"<{tag}>"))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.skip or tag in _DROP_WITH_CONTENT or tag in _DROP_TAG_ONLY:
            return
        if tag in ALLOWED_TAGS:
            self.out.append(f"<{tag}{_clean_attrs(tag, attrs)}>")
            if tag not in _VOID_TAGS:
                self.out.append(f"</{tag}>")
        else:
            self.out.append(html.escape(self.get_starttag_text() or f"<{tag}/>"))

    def handle_endtag(self, tag: str) -> None:
        if self.skip:
            if tag == self.skip[-1]:
                self.skip.pop()
            return
        if tag in ALLOWED_TAGS:
            if tag in self.open:
                while self.open:
                    closing = self.open.pop()
                    self.out.append(f"</{closing}>")
                    if closing == tag:
                        break
        elif tag not in _DROP_WITH_CONTENT and tag not in _DROP_TAG_ONLY:
            self.out.append(html.escape(f"</{tag}>"))

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.out.append(html.escape(data, quote=False))

    def result(self) -> str:
        return "".join(self.out) + "".join(f"</{tag}>" for tag in reversed(self.open))


def sanitize_html(markup: str) -> str:
    """Restricted HTML: allow-listed tags and attributes, safe links and styles, the rest as text.

    Comments, doctypes and processing instructions vanish; unclosed tags are closed so the
    fragment cannot leak formatting into its surroundings. Never raises.
    """
    parser = _Sanitizer()
    try:
        parser.feed(str(markup))
        parser.close()
    except Exception:  # html.parser is lenient, but a sanitizer must never raise on hostile input
        return html.escape(str(markup), quote=False)
    return parser.result()
