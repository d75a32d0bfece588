"""GET /api/v1/lectures/ and /api/v1/lectures/{id}/ as PROTOCOL.md says."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from courses import services
from courses.models import LectureProgress

from ..factories import make_lecture, make_user

pytestmark = pytest.mark.django_db


def test_list_is_published_only_and_filters_by_month(api_as):
    march = make_lecture(month=date(2026, 3, 1), title="三月")
    make_lecture(month=date(2026, 4, 1), title="四月")
    make_lecture(month=date(2026, 5, 1), title="草稿", published=False)
    scheduled = make_lecture(month=date(2026, 6, 1), title="未到发布时间")
    scheduled.published_at = timezone.now() + timedelta(days=3)
    services.lecture_save(lecture=scheduled)
    client = api_as(make_user())
    titles = [row["title"] for row in client.get("/api/v1/lectures/").json()["results"]]
    assert titles == ["四月", "三月"]
    only = client.get("/api/v1/lectures/?month=2026-03").json()["results"]
    assert [row["id"] for row in only] == [march.pk]
    assert only[0]["month"] == "2026-03"


@pytest.mark.parametrize("month", ["2026-13", "march", "2026", "2026-03-01"])
def test_bad_month_is_400(api_as, month):
    response = api_as(make_user()).get(f"/api/v1/lectures/?month={month}")
    assert response.status_code == 400
    assert "YYYY-MM" in response.json()["detail"]


def test_search_finds_chinese_by_substring(api_as):
    make_lecture(
        month=date(2026, 2, 1), title="开好三会一课", body="支部党员大会、支部委员会、党小组会"
    )
    make_lecture(month=date(2026, 4, 1), title="作风建设", body="落实中央八项规定精神")
    client = api_as(make_user())
    for query, expected in [
        ("三会一课", ["开好三会一课"]),
        ("小组", ["开好三会一课"]),
        ("八项", ["作风建设"]),
    ]:
        results = client.get("/api/v1/lectures/", {"q": query}).json()["results"]
        assert [r["title"] for r in results] == expected, query


def test_detail_shape_and_no_script(api_as):
    member = make_user()
    lecture = make_lecture(
        body="## 要点\n\n<img src=x onerror=alert(1)>正文", reading=[("《中国共产党章程》", True)]
    )
    body = api_as(member).get(f"/api/v1/lectures/{lecture.pk}/").json()
    assert set(body) >= {
        "id",
        "title",
        "speaker",
        "month",
        "body_html",
        "attachments",
        "reading_list",
        "progress",
    }
    assert "onerror" not in body["body_html"] and "<h2>要点</h2>" in body["body_html"]
    assert body["reading_list"][0]["title"] == "《中国共产党章程》"
    assert body["progress"]["completed"] is False


def test_draft_detail_is_404(api_as):
    draft = make_lecture(published=False)
    response = api_as(make_user()).get(f"/api/v1/lectures/{draft.pk}/")
    assert response.status_code == 404 and "detail" in response.json()


def test_list_shows_my_completion_and_query_count_is_flat(api_as, django_assert_max_num_queries):
    member = make_user()
    for month in range(1, 13):
        lecture = make_lecture(month=date(2025, month, 1))
        if month % 2:
            LectureProgress.objects.create(
                member=member, lecture=lecture, completed_at=timezone.now()
            )
    client = api_as(member)
    with django_assert_max_num_queries(2):
        rows = client.get("/api/v1/lectures/").json()["results"]
    assert sum(row["completed"] for row in rows) == 6


def test_detail_query_count_is_flat(api_as, django_assert_max_num_queries):
    lecture = make_lecture(reading=[(f"篇目{n}", n % 2 == 0) for n in range(10)])
    client = api_as(make_user())
    with django_assert_max_num_queries(6):
        assert client.get(f"/api/v1/lectures/{lecture.pk}/").status_code == 200


def test_my_study_api(api_as):
    member = make_user()
    lecture = make_lecture(reading=[("《中国共产党章程》", True), ("选读", False)])
    client = api_as(member)
    client.put(f"/api/v1/reading-items/{lecture.reading_list.items.first().pk}/check/")
    body = client.get("/api/v1/me/study/").json()
    assert body["lectures"][0]["id"] == lecture.pk
    assert (body["required_items"], body["required_done"], body["lectures_done"]) == (1, 1, 0)
