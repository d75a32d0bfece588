"""学完测一测: a lecture's cited questions as a short practice — the count on the
lecture (API and page), ``POST /api/v1/lectures/{id}/practice/``, the page's form,
and the passage highlighted when the lecture is opened from a question."""

import pytest
from django.utils import timezone

from courses import selectors as course_selectors
from courses.models import LectureStatus
from quizzes import services
from quizzes.models import Attempt, AttemptKind, AttemptStatus

from ..factories import make_bank, make_lecture, make_question, make_user

pytestmark = pytest.mark.django_db
BODY = "第一段。\n\n第二段：党支部是党的基础组织。\n\n第三段。"


@pytest.fixture
def lecture():
    return make_lecture(title="推进机关基层党组织标准化规范化建设", body=BODY)


@pytest.fixture
def city_questions(lecture):
    bank = make_bank()
    return [make_question(bank, lecture=lecture, passage=1 + n % 3) for n in range(12)]


def test_the_api_starts_a_practice_of_up_to_ten_cited_questions(
    org, api_as, lecture, city_questions
):
    make_question(make_bank(), lecture=None)  # not citing the lecture
    client = api_as(org.member_a1)
    response = client.post(f"/api/v1/lectures/{lecture.pk}/practice/")
    assert response.status_code == 201
    body = response.json()
    assert body["kind"] == "lecture" and body["practice"] is True and body["status"] == "open"
    assert body["title"] == f"学完测一测 · {lecture.title}"
    assert len(body["questions"]) == 10
    assert {q["id"] for q in body["questions"]} <= {q.pk for q in city_questions}
    attempt = Attempt.objects.get(pk=body["id"])
    assert attempt.kind == AttemptKind.LECTURE and attempt.lecture_id == lecture.pk
    # practice: the verdict (with the passage it comes from) after each answer
    first = body["questions"][0]
    reply = client.put(
        f"/api/v1/attempts/{body['id']}/answers/{first['id']}/", {"choices": ["A"]}, format="json"
    ).json()
    assert reply["result"]["source_link"]["lecture"] == lecture.pk
    # asked again while it is open: the same practice, not a second one
    again = client.post(f"/api/v1/lectures/{lecture.pk}/practice/")
    assert again.status_code == 201 and again.json()["id"] == body["id"]


def test_a_finished_practice_starts_afresh_unseen_questions_first(org, lecture, city_questions):
    member = org.member_a1
    first = services.lecture_practice_start(member=member, lecture=lecture)
    Attempt.objects.filter(pk=first.pk).update(status=AttemptStatus.SUBMITTED)
    second = services.lecture_practice_start(member=member, lecture=lecture)
    assert second.pk != first.pk
    asked_first = set(first.items.values_list("question_id", flat=True))
    asked_second = set(second.items.values_list("question_id", flat=True))
    # the two never asked before come first, then eight of those seen
    assert {q.pk for q in city_questions} - asked_first <= asked_second
    # an expired one is not reused either
    Attempt.objects.filter(pk=second.pk).update(deadline=timezone.now())
    assert services.lecture_practice_start(member=member, lecture=lecture).pk != second.pk


def test_no_questions_is_a_409_and_unknown_or_draft_lectures_404(org, api_as, lecture):
    client = api_as(org.member_a1)
    response = client.post(f"/api/v1/lectures/{lecture.pk}/practice/")
    assert response.status_code == 409 and response.json()["code"] == "no_questions"
    assert response.json()["detail"]
    draft = make_lecture(title="草稿", published=False, is_featured=False)
    make_question(make_bank(), lecture=draft, passage=1)
    assert client.post(f"/api/v1/lectures/{draft.pk}/practice/").status_code == 404
    assert client.post("/api/v1/lectures/999999/practice/").status_code == 404
    assert not Attempt.objects.filter(member=org.member_a1).exists()


def test_only_questions_the_member_may_practise(org, api_as, lecture):
    mine = make_question(make_bank(unit=org.unit_a), lecture=lecture, passage=1)
    make_question(make_bank(unit=org.unit_b), lecture=lecture, passage=1)  # another unit's
    make_question(make_bank(), lecture=lecture, passage=2, is_active=False)  # retired
    body = api_as(org.member_a1).post(f"/api/v1/lectures/{lecture.pk}/practice/").json()
    assert [q["id"] for q in body["questions"]] == [mine.pk]


def test_the_count_agrees_with_the_practice_pool_for_every_role(org, api_as, lecture):
    make_question(make_bank(), lecture=lecture, passage=1)
    make_question(make_bank(unit=org.unit_a), lecture=lecture, passage=2)
    make_question(make_bank(unit=org.unit_b), lecture=lecture, passage=3)
    make_question(make_bank(), lecture=lecture, is_active=False)
    make_question(make_bank())  # cites nothing
    expected = {
        org.member_a1: 2,
        org.unit_admin: 2,
        org.secretary_b: 2,
        org.member_b1: 2,
        org.city_admin: 3,
    }
    for user, n in expected.items():
        body = api_as(user).get(f"/api/v1/lectures/{lecture.pk}/").json()
        assert body["quiz_questions"] == n, user
        assert services.lecture_questions(user, lecture.pk).count() == n, user
        counted = course_selectors.lecture_for_user(user=user, pk=lecture.pk)
        assert counted.quiz_questions == n


def test_the_lecture_detail_query_count_stays_flat(api_as, lecture, django_assert_max_num_queries):
    bank = make_bank()
    for n in range(20):
        make_question(bank, lecture=lecture, passage=1 + n % 3)
    client = api_as(make_user())
    with django_assert_max_num_queries(6):
        assert client.get(f"/api/v1/lectures/{lecture.pk}/").json()["quiz_questions"] == 20


def test_the_lecture_page_ends_with_the_card_and_its_form_starts(org, client, lecture):
    client.force_login(org.member_a1)
    page = client.get(f"/lectures/{lecture.pk}/").content.decode()
    assert 'data-testid="lecture-quiz"' not in page  # nothing cites it yet
    bank = make_bank()
    for n in range(3):
        make_question(bank, lecture=lecture, passage=n + 1)
    page = client.get(f"/lectures/{lecture.pk}/").content.decode()
    assert "学完测一测" in page and "本讲有 3 道题，测一测" in page
    assert f'action="/lectures/{lecture.pk}/practice/"' in page and "csrfmiddlewaretoken" in page
    response = client.post(f"/lectures/{lecture.pk}/practice/")
    attempt = Attempt.objects.get(member=org.member_a1, kind=AttemptKind.LECTURE)
    assert response.status_code == 302 and response["Location"] == f"/attempts/{attempt.pk}/"
    assert (
        f"学完测一测 · {lecture.title}" in client.get(f"/attempts/{attempt.pk}/").content.decode()
    )
    assert client.get(f"/lectures/{lecture.pk}/practice/").status_code == 405
    review = client.get(f"/attempts/{attempt.pk}/review/").content.decode()
    assert f'href="/lectures/{lecture.pk}/" data-testid="back-to-lecture">回到讲座<' in review


def test_the_page_form_refused_goes_back_to_the_lecture(org, client, lecture):
    client.force_login(org.member_a1)
    response = client.post(f"/lectures/{lecture.pk}/practice/", follow=True)
    assert response.redirect_chain[-1][0] == f"/lectures/{lecture.pk}/"
    assert "本讲还没有题目" in response.content.decode()
    lecture.status = LectureStatus.DRAFT
    lecture.save()
    assert client.post(f"/lectures/{lecture.pk}/practice/").status_code == 404


def test_the_cited_passage_is_highlighted(org, client, lecture):
    client.force_login(org.member_a1)
    page = client.get(f"/lectures/{lecture.pk}/?p=2").content.decode()
    marked = '<p id="p2" class="is-cited" data-cited><span class="cited-note">题目出自这一段</span>'
    assert marked + "第二段" in page
    assert page.count("is-cited") == 1
    for bad in ("9", "abc", "0", "-1", "99999999"):
        page = client.get(f"/lectures/{lecture.pk}/?p={bad}").content.decode()
        assert 'class="is-cited"' not in page and '<p id="p2">第二段' in page
