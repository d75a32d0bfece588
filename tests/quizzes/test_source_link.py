"""Explained answers carry ``source_link`` (the cited lecture passage) beside
``source`` — attempt and practice results, the mistakes notebook — and the pages
that explain answers (review, notebook, a contest's finished page) show 解析, 出处
and "出自《…》" opening the lecture at the passage."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from contests import engine
from contests import services as contest_services
from contests.models import Contest
from courses.models import LectureStatus
from quizzes import services
from quizzes.models import AttemptQuestion, Mistake

from ..factories import make_bank, make_lecture, make_question, make_quiz, make_user

pytestmark = pytest.mark.django_db
BODY = "第一段。\n\n第二段：党支部是党的基础组织。\n\n第三段。"
T0 = 1_700_000_000_000


@pytest.fixture
def lecture():
    return make_lecture(title="推进机关基层党组织标准化规范化建设", body=BODY)


@pytest.fixture
def cited(lecture):
    """A single-choice question (key B) citing paragraph 2 of the lecture."""
    return make_question(
        make_bank(), lecture=lecture, passage=2, source="2026年11月 机关大讲堂 第2段"
    )


def wrong(attempt_id: int, question) -> dict:
    """A wrong answer to ``question`` (key B) as the member sees the options (practice
    shuffles them): the letter shown for the original option A."""
    order = AttemptQuestion.objects.get(attempt_id=attempt_id, question=question).option_order
    return {"choices": [chr(ord("A") + order.index("A"))]}


def right(attempt_id: int, question) -> dict:
    order = AttemptQuestion.objects.get(attempt_id=attempt_id, question=question).option_order
    return {"choices": [chr(ord("A") + order.index("B"))]}


def link_of(lecture, passage=2) -> dict:
    return {
        "lecture": lecture.pk,
        "title": lecture.title,
        "anchor": f"p{passage}",
        "url": f"/lectures/{lecture.pk}/?p={passage}#p{passage}",
    }


def test_quiz_results_carry_the_link_and_plain_questions_null(api_as, lecture, cited):
    plain = make_question(cited.bank, source="党章第三条")
    member = make_user()
    client = api_as(member)
    quiz = make_quiz([cited, plain], shuffle_questions=False)
    attempt = client.post(f"/api/v1/quizzes/{quiz.pk}/attempts/").json()
    client.put(
        f"/api/v1/attempts/{attempt['id']}/answers/{cited.pk}/",
        wrong(attempt["id"], cited),
        format="json",
    )
    results = client.post(f"/api/v1/attempts/{attempt['id']}/submit/").json()["results"]
    by_question = {r["question"]: r for r in results}
    assert by_question[cited.pk]["source_link"] == link_of(lecture)
    assert by_question[cited.pk]["source"] == "2026年11月 机关大讲堂 第2段"
    assert by_question[plain.pk]["source_link"] is None
    assert by_question[plain.pk]["source"] == "党章第三条"
    detail = client.get(f"/api/v1/attempts/{attempt['id']}/").json()
    assert {r["question"]: r["source_link"] for r in detail["results"]}[cited.pk] == link_of(
        lecture
    )


def practise(client, question, answer) -> tuple[dict, dict]:
    """Starts a special practice of ``question``'s category over the API and answers
    ``question`` with ``answer(attempt_id, question)``: (attempt, reply)."""
    attempt = client.post(
        "/api/v1/practice/special/", {"category": question.category}, format="json"
    ).json()
    reply = client.put(
        f"/api/v1/attempts/{attempt['id']}/answers/{question.pk}/",
        answer(attempt["id"], question),
        format="json",
    ).json()
    return attempt, reply


def test_a_practice_answer_carries_the_link_at_once(api_as, lecture, cited):
    _attempt, reply = practise(api_as(make_user()), cited, wrong)
    assert reply["result"]["correct"] is False
    assert reply["result"]["source_link"] == link_of(lecture)


def test_a_lecture_as_a_whole_and_an_unpublished_one(api_as, lecture, cited):
    member = make_user()
    cited.passage = None
    cited.save()
    client = api_as(member)
    attempt, reply = practise(client, cited, right)
    assert reply["result"]["source_link"] == {
        "lecture": lecture.pk,
        "title": lecture.title,
        "anchor": "",
        "url": f"/lectures/{lecture.pk}/",
    }
    # a lecture taken back (draft) or not yet out is not linked
    lecture.status = LectureStatus.DRAFT
    lecture.save()
    body = client.get(f"/api/v1/attempts/{attempt['id']}/").json()
    assert body["results"][0]["source_link"] is None


def answer_wrong(member, question):
    attempt = services.special_practice_start(member=member, category=question.category)
    services.answer_save(
        attempt_id=attempt.pk,
        member=member,
        question_id=question.pk,
        data=wrong(attempt.pk, question),
    )
    return attempt


def test_the_mistakes_notebook_api_and_page(api_as, client, lecture, cited):
    member = make_user()
    answer_wrong(member, cited)
    assert Mistake.objects.filter(member=member, question=cited).exists()
    row = api_as(member).get("/api/v1/me/mistakes/").json()["results"][0]
    assert row["question"]["source_link"] == link_of(lecture)
    assert row["question"]["source"] == cited.source
    assert row["question"]["explanation"] == cited.explanation
    client.force_login(member)
    page = client.get("/me/mistakes/").content.decode()
    assert f'href="/lectures/{lecture.pk}/?p=2#p2"' in page
    assert f"出自《{lecture.title}》" in page
    assert "出处" in page and "解析" in page and cited.explanation in page


def test_the_review_page_shows_explanation_and_source(client, lecture, cited):
    member = make_user()
    attempt = answer_wrong(member, cited)
    client.force_login(member)
    page = client.get(f"/attempts/{attempt.pk}/review/").content.decode()
    assert f'href="/lectures/{lecture.pk}/?p=2#p2"' in page
    assert f"出自《{lecture.title}》" in page and cited.explanation in page


def test_the_query_counts_do_not_grow_with_cited_questions(api_as, django_assert_max_num_queries):
    member = make_user()
    client = api_as(member)
    bank = make_bank()
    lectures = [make_lecture(title=f"讲座{n}", body=BODY, is_featured=False) for n in range(5)]
    questions = [
        make_question(bank, category="出处", lecture=lectures[n % 5], passage=1 + n % 3)
        for n in range(10)
    ]
    attempt = client.post("/api/v1/practice/special/", {"category": "出处"}, format="json").json()
    for question in questions:
        client.put(
            f"/api/v1/attempts/{attempt['id']}/answers/{question.pk}/",
            wrong(attempt["id"], question),
            format="json",
        )
    with django_assert_max_num_queries(3):
        body = client.get(f"/api/v1/attempts/{attempt['id']}/").json()
    assert len({r["source_link"]["lecture"] for r in body["results"]}) == 5
    with django_assert_max_num_queries(3):
        rows = client.get("/api/v1/me/mistakes/").json()["results"]
    assert len(rows) == 10 and all(r["question"]["source_link"] for r in rows)


# --- after a live contest ---------------------------------------------------------------


def finished_contest(host, questions, plays: dict) -> Contest:
    """A classic contest played through the engine: ``plays`` maps a member to the
    responses given, question by question (None: no answer)."""
    contest = contest_services.contest_create(
        host=host, quiz=make_quiz(questions, shuffle_questions=False)
    )
    room = contest_services.contest_room(contest)
    events = [engine.Join(T0, f"u{m.pk}", m.username, m.branch.name) for m in plays]
    events.append(engine.Start(T0 + 100_000))
    for seq in range(1, len(questions) + 1):
        if seq > 1:
            events.append(engine.Next(T0 + seq * 100_000))
        for member, responses in plays.items():
            if responses[seq - 1] is not None:
                at = T0 + seq * 100_000 + 1000
                events.append(engine.SubmitAnswer(at, f"u{member.pk}", seq, responses[seq - 1]))
        events.append(engine.Close(T0 + seq * 100_000 + 50_000))
    events.append(engine.Next(T0 + 900_000))
    for event in events:
        room, _outs = engine.apply(room, event)
    contest_services.contest_record_results(contest=contest, room=room)
    Contest.objects.filter(pk=contest.pk).update(finished_at=timezone.now() - timedelta(minutes=1))
    contest.refresh_from_db()
    return contest


def test_the_finished_page_lists_my_wrong_answers_explained(org, lecture, cited):
    bank = cited.bank
    judged = make_question(bank, "truefalse", explanation="党员有权利也有义务。")
    filled = make_question(bank, "fill")
    right = make_question(bank)
    unanswered = make_question(bank)
    questions = [cited, judged, filled, right, unanswered]
    me = org.member_a1
    contest = finished_contest(
        org.secretary,
        questions,
        {
            me: [
                {"choices": ["A"]},
                {"choices": ["false"]},
                {"blanks": ["十九"]},
                {"choices": ["B"]},
                None,
            ],
            org.member_a2: [{"choices": ["B"]}, None, None, None, None],
        },
    )
    player = Client()
    player.force_login(me)
    page = player.get(f"/join/{contest.pin}/").content.decode()
    assert page.count('data-testid="missed-question"') == 3
    assert cited.stem in page and judged.stem in page and filled.stem in page
    assert right.stem not in page and unanswered.stem not in page
    # the right answer, 解析 and 出处 with the link to the passage
    assert "B. 乙" in page and "A. 甲" in page and "错误" in page and "十八/18" in page
    assert judged.explanation in page and cited.explanation in page
    assert f'href="/lectures/{lecture.pk}/?p=2#p2"' in page
    assert f"出自《{lecture.title}》" in page
    # someone who got everything right sees no such list
    other = Client()
    other.force_login(org.member_a2)
    assert 'data-testid="missed"' not in other.get(f"/join/{contest.pin}/").content.decode()


def test_a_corrected_key_and_a_voided_question_count_as_in_the_contest(org, cited):
    bank = cited.bank
    voided = make_question(bank)
    me = org.member_a1
    contest = finished_contest(
        org.secretary, [cited, voided], {me: [{"choices": ["A"]}, {"choices": ["A"]}]}
    )
    snapshot = dict(contest.snapshot)
    snapshot["voided"] = [2]
    snapshot["rescored"] = {"1": ["A"]}  # the host accepted A after all
    Contest.objects.filter(pk=contest.pk).update(snapshot=snapshot)
    player = Client()
    player.force_login(me)
    page = player.get(f"/join/{contest.pin}/").content.decode()
    assert 'data-testid="missed"' not in page
