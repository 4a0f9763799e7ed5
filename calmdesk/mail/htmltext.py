"""HTML from email: sanitised with nh3 before it is ever shown, and flattened to plain
text for the engine when a message has no text part."""

from __future__ import annotations

import html as html_lib
import re

import nh3

# Block-level ends become line breaks before the tags go, so paragraphs survive.
_BLOCK_END = re.compile(r"<\s*(?:br|/p|/div|/tr|/li|/h[1-6]|/blockquote|hr)\b[^>]*>", re.I)
_SPACES = re.compile(r"[ \t\xa0]+")
_BLANK_LINES = re.compile(r"\n{3,}")
_CID_SRC = re.compile(r"""(src\s*=\s*["']?)cid:([^"'\s>]+)""", re.I)
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9:-]*)[^>]*?(/?)>")
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "wbr"}
# Elements nested deeper than this lose their tags (their text stays). An HTML parser
# looks through the open elements at every tag, so its work grows with depth x size:
# 100,000 nested <div>s took 45 s. Real mail nests a few dozen levels (tables in tables).
MAX_HTML_DEPTH = 100
# HTML longer than this is flattened to text in one pass over its tags (_streamed_text)
# rather than through an HTML parser's tree.
STREAM_TEXT_CHARS = 1_000_000
_DROPPED = {"script", "style", "head", "title"}
# A tag, or a comment (to its end, or the end of the text) or a doctype, which go.
_TOKEN = re.compile(r"<!--.*?(?:-->|\Z)|<![^>]*>|" + _TAG.pattern, re.S)

TAGS = nh3.ALLOWED_TAGS - {"img"} | {"img", "span", "div", "font", "center"}
ATTRIBUTES = {
    **{tag: set(attrs) for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items()},
    "img": {"src", "alt", "width", "height"},
    "a": {"href", "title"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
}


def _only_our_images(tag: str, attribute: str, value: str) -> str | None:
    # Remote images in customer mail are trackers at best; only images we serve
    # ourselves (rewritten inline cid: parts) are kept.
    if tag == "img" and attribute == "src" and not value.startswith("/mail/"):
        return None
    return value


def cap_depth(html: str, limit: int = MAX_HTML_DEPTH) -> str:
    """``html`` with the tags of elements nested deeper than ``limit`` taken out, in one
    pass (the nesting is counted from the tags as written, which is enough for a cap)."""
    if html.count("<") <= limit:
        return html
    out: list[str] = []
    depth = 0
    kept_to = 0
    for match in _TAG.finditer(html):
        closing, name, self_closing = match.groups()
        if self_closing or name.lower() in _VOID:
            continue
        deep = depth >= limit if not closing else depth > limit
        depth = max(depth - 1, 0) if closing else depth + 1
        if deep:
            out.append(html[kept_to : match.start()])
            kept_to = match.end()
    out.append(html[kept_to:])
    return "".join(out)


def sanitise(html: str, inline_urls: dict[str, str] | None = None) -> str:
    """Safe HTML; ``cid:`` references found in ``inline_urls`` point at our URLs."""
    if not html.strip():
        return ""
    html = cap_depth(html)
    if inline_urls:

        def replace(match: re.Match[str]) -> str:
            url = inline_urls.get(match.group(2).strip("<>"))
            return f"{match.group(1)}{url}" if url else match.group(0)

        html = _CID_SRC.sub(replace, html)
    return nh3.clean(
        html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        attribute_filter=_only_our_images,
        clean_content_tags={"script", "style", "head", "title"},
        link_rel="noopener noreferrer nofollow",
        url_schemes={"http", "https", "mailto"},
    )


def html_to_text(html: str) -> str:
    if not html.strip():
        return ""
    if len(html) > STREAM_TEXT_CHARS:
        return _tidy(_streamed_text(html))
    marked = _BLOCK_END.sub("\n", cap_depth(html))
    bare = nh3.clean(marked, tags=set(), clean_content_tags=_DROPPED)
    return _tidy(bare)


def _tidy(bare: str) -> str:
    text = html_lib.unescape(bare)
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def _streamed_text(html: str) -> str:
    """The text between the tags, in one pass over them: what a large HTML body needs
    (an HTML parser's tree of a 30 MB body took ten times its size). The result is only
    ever shown escaped, so this need not sanitise; script and style contents are left
    out, and block ends become line breaks as above."""
    pieces: list[str] = []
    skipping = ""
    kept_to = 0
    for match in _TOKEN.finditer(html):
        closing, name, _self_closing = match.groups()
        name = (name or "").lower()  # empty for a comment or a doctype: dropped
        if not skipping:
            pieces.append(html[kept_to : match.start()])
        kept_to = match.end()
        if skipping:
            skipping = "" if closing and name == skipping else skipping
        elif name in _DROPPED and not closing:
            skipping = name
        elif _BLOCK_END.fullmatch(match.group(0)):
            pieces.append("\n")
    if not skipping:
        pieces.append(html[kept_to:])
    return "".join(pieces)
