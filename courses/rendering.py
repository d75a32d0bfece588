"""
Markdown → safe HTML for lecture texts.

python-markdown renders (tables, lists, headings; raw HTML passes through it),
then nh3 (Ammonia) keeps only an allow-list of tags and attributes: no scripts,
no event handlers, no styles, no ``javascript:``/``data:`` URLs, images only
from our own origin (attachments served by the download view).

A lecture's text also numbers its paragraphs (``render_lecture``): every ``<p>``
gets ``id="p1"``, ``id="p2"``, … in document order, the passages a question cites
(``quizzes.sources``). The ids are added to nh3's output, never taken from the
author's HTML (nh3 drops every ``id``), so they cannot clash with or smuggle in
anything else.
"""

import re

import markdown
import nh3

ALLOWED_TAGS = {
    "h1", "h2", "h3", "h4", "h5", "h6", "p", "br", "hr", "blockquote",
    "strong", "em", "b", "i", "u", "s", "del", "ins", "mark", "sup", "sub", "small",
    "ul", "ol", "li", "dl", "dt", "dd",
    "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption",
    "code", "pre", "abbr", "a", "img", "figure", "figcaption",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "abbr": {"title"},
    "ol": {"start"},
    "th": {"colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}
# Tags removed together with their content (the rest keep their text).
DROP_WITH_CONTENT = {"script", "style", "template", "noscript", "iframe", "object", "svg", "math"}


def _same_origin_path(value: str) -> bool:
    return value.startswith("/") and not value.startswith("//") and "\\" not in value


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    if tag == "img" and attribute == "src" and not _same_origin_path(value):
        return None  # images only from our own storage
    if attribute in {"width", "height"} and not value.isdigit():
        return None
    return value


def sanitize_html(html: str) -> str:
    """Keeps the allow-listed structure of ``html``; idempotent."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags=DROP_WITH_CONTENT,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_attribute_filter,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def render_markdown(text: str) -> str:
    html = markdown.markdown(
        text or "",
        extensions=["extra", "sane_lists"],
        output_format="html",
    )
    return sanitize_html(html)


#: A paragraph's start tag as nh3 writes it: ``p`` allows no attribute, so ``<p>``.
_PARAGRAPH_START = re.compile(r"<p>")


def number_paragraphs(safe_html: str) -> str:
    """``safe_html`` (nh3's output) with ``id="p{n}"`` on each ``<p>``, from 1 in
    document order; as many as ``quizzes.sources.paragraph_count`` counts."""
    numbers = iter(range(1, 1_000_000))
    return _PARAGRAPH_START.sub(lambda _match: f'<p id="p{next(numbers)}">', safe_html)


def render_lecture(text: str) -> str:
    """A lecture's Markdown as sanitised HTML with numbered paragraphs (``p1``…);
    the same text always gives the same numbers."""
    return number_paragraphs(render_markdown(text))
