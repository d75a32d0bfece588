"""Lecture paragraphs carry ids ``p1``, ``p2``… (the passages questions cite), and
the rest of the sanitising is unchanged."""

import re
from importlib import import_module

from django.apps import apps as django_apps

from courses.models import Lecture
from courses.rendering import number_paragraphs, render_lecture, sanitize_html
from quizzes.sources import paragraph_count
from tests.factories import make_lecture

BODY = """## 一、标题不是段落

第一段：学习党章。

> 第二段在引文里。

- 列表项不是段落
- 第二项

1. 松散列表

    第三段在列表项里。

<p id="evil" class="x" onclick="alert(1)">第四段：作者写的 HTML 段落。</p>

<pre>代码 &lt;p&gt; 不是段落</pre>

第五段<script>alert(1)</script><a href="javascript:alert(1)" id="y">链接</a>。
"""


def ids(html: str) -> list[str]:
    return re.findall(r'id="([^"]*)"', html)


def test_every_paragraph_is_numbered_in_document_order():
    html = render_lecture(BODY)
    assert ids(html) == [f"p{n}" for n in range(1, paragraph_count(html) + 1)]
    assert paragraph_count(html) == 6  # the loose list item holds two paragraphs
    assert '<p id="p1">第一段：学习党章。</p>' in html
    assert '<p id="p2">第二段在引文里。</p>' in html
    assert '<p id="p5">第四段：作者写的 HTML 段落。</p>' in html


def test_the_authors_attributes_are_still_stripped():
    html = render_lecture(BODY)
    for bad in ("evil", "onclick", "class=", "<script", "javascript:", 'id="y"'):
        assert bad not in html
    assert 'href="javascript' not in html


def test_numbering_is_stable_and_survives_a_second_sanitising():
    html = render_lecture(BODY)
    assert render_lecture(BODY) == html
    assert number_paragraphs(sanitize_html(html)) == html  # sanitising drops ids; renumbering
    assert render_lecture("") == ""
    assert paragraph_count(render_lecture("没有空行的一段")) == 1


def test_a_saved_lecture_has_anchors(db):
    lecture = make_lecture(body="甲。\n\n乙。\n\n丙。")
    assert ids(lecture.body_html) == ["p1", "p2", "p3"]


def test_the_data_migration_renders_existing_lectures(db):
    lecture = make_lecture(body="甲。\n\n乙。")
    Lecture.objects.filter(pk=lecture.pk).update(body_html="<p>甲。</p><p>乙。</p>")
    migration = import_module("courses.migrations.0004_paragraph_anchors")
    migration.render_all(django_apps, None)
    lecture.refresh_from_db()
    assert ids(lecture.body_html) == ["p1", "p2"]
