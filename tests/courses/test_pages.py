"""The phone pages: home card, lecture page, archive and search, my study; page weight."""

import gzip
from datetime import date
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.utils import timezone

from courses.models import LectureProgress

from ..factories import make_lecture, make_user

pytestmark = pytest.mark.django_db


def test_home_shows_this_months_lecture(client):
    lecture = make_lecture(title="本月的讲座")
    client.force_login(make_user())
    html = client.get("/").content.decode()
    assert "本月的讲座" in html and f"/lectures/{lecture.pk}/" in html and "待学习" in html


def test_lecture_page(client):
    lecture = make_lecture(
        body="## 一、要点\n\n<script>alert(1)</script>正文内容", reading=[("《党章》", True)]
    )
    client.force_login(make_user())
    html = client.get(f"/lectures/{lecture.pk}/").content.decode()
    assert "<h2>一、要点</h2>" in html and "alert(1)" not in html
    assert "《党章》" in html and "标记为已学完" in html
    assert f'data-heartbeat-url="/api/v1/lectures/{lecture.pk}/heartbeat/"' in html


def test_lecture_page_is_light(client):
    body = "\n\n".join(["机关党建工作要坚持围绕中心、建设队伍、服务群众。" * 8] * 12)
    lecture = make_lecture(body=body, reading=[(f"篇目{n}", True) for n in range(4)])
    client.force_login(make_user())
    html = client.get(f"/lectures/{lecture.pk}/").content
    assets = [
        "jiangtang/app.css",
        "django_htmx/htmx-2.min.js",
        "courses/study.js",
    ]
    # What a phone transfers: production compresses every text response (nginx gzip,
    # WhiteNoise's precompressed static files). Raw, the page is about 100 KB.
    size = len(gzip.compress(html)) + sum(
        len(gzip.compress(Path(finders.find(a)).read_bytes())) for a in assets
    )
    assert size < 40_000, size


def test_archive_groups_by_month_and_searches(client):
    make_lecture(month=date(2026, 1, 1), title="学习党章 遵守党章")
    make_lecture(month=date(2026, 2, 1), title="开好三会一课")
    client.force_login(make_user())
    html = client.get("/lectures/").content.decode()
    assert html.index("2026年2月") < html.index("2026年1月")
    found = client.get("/lectures/", {"q": "三会"}).content.decode()
    assert "开好三会一课" in found and "学习党章" not in found


def test_my_study_counts_done_lectures(client):
    member = make_user()
    lecture = make_lecture(reading=[("《党章》", True)])
    LectureProgress.objects.create(member=member, lecture=lecture, completed_at=timezone.now())
    client.force_login(member)
    response = client.get("/study/")
    assert response.context["overview"].lectures_done == 1
    assert "1/1" in response.content.decode()
    assert response.context["next_month"] is None  # no studying the future


def test_my_study_of_an_earlier_month(client):
    make_lecture(month=date(2026, 1, 1), title="一月讲座")
    client.force_login(make_user())
    response = client.get("/study/?month=2026-01")
    assert "一月讲座" in response.content.decode()
    assert response.context["prev_month"] == date(2025, 12, 1)
