"""
Attempt payloads, built from loaded rows (no queries: load the items with
``question__lecture``). The answer key appears only for questions whose answer is
final: every question once the attempt is closed, a practice question once it has
been answered.
"""

from django.utils import timezone

from .models import Attempt, AttemptQuestion, AttemptStatus, QuestionKind
from .sources import source_link


def display_letters(item: AttemptQuestion) -> list[str]:
    return [chr(ord("A") + i) for i in range(len(item.option_order))]


def to_display(item: AttemptQuestion, keys: list[str]) -> list[str]:
    back = dict(zip(item.option_order, display_letters(item), strict=True))
    return sorted(back[key] for key in keys if key in back)


def question_payload(item: AttemptQuestion) -> dict:
    question = item.question
    payload = {
        "id": question.pk,
        "position": item.position,
        "kind": question.kind,
        "text": question.stem,
        "points": item.points,
        "options": [
            {"key": letter, "text": question.options[ord(original) - ord("A")]}
            for letter, original in zip(display_letters(item), item.option_order, strict=True)
        ],
    }
    if question.kind == QuestionKind.TRUEFALSE:
        payload["options"] = [{"key": "true", "text": "正确"}, {"key": "false", "text": "错误"}]
    if question.kind == QuestionKind.FILL:
        payload["blanks"] = len(question.answer)
    return payload


def response_payload(item: AttemptQuestion) -> dict | None:
    if item.response is None:
        return None
    if "choices" in item.response and item.question.kind != QuestionKind.TRUEFALSE:
        return {"choices": to_display(item, item.response["choices"])}
    return dict(item.response)


def result_payload(item: AttemptQuestion) -> dict:
    """The verdict on one question, with the answer key, 解析 and 出处 (and the
    cited lecture passage, ``source_link``); only for final answers."""
    question = item.question
    result = {
        "question": question.pk,
        "correct": bool(item.correct),
        "points": float(item.points_awarded or 0),
        "explanation": question.explanation,
        "source": question.source,
        "source_link": source_link(question),
        "your_answer": response_payload(item),
        "correct_choices": [],
    }
    if question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        result["correct_choices"] = to_display(item, question.answer)
    elif question.kind == QuestionKind.TRUEFALSE:
        result["correct_choices"] = ["true" if question.answer[0] else "false"]
    else:
        result["correct_text"] = ["/".join(variants) for variants in question.answer]
    return result


def attempt_title(attempt: Attempt) -> str:
    """The quiz's title, or the kind of practice (学完测一测 with its lecture's title;
    load ``quiz`` and ``lecture`` with the attempt)."""
    if attempt.quiz_id:
        return attempt.quiz.title
    if attempt.lecture_id:
        return f"{attempt.get_kind_display()} · {attempt.lecture.title}"
    return str(attempt.get_kind_display())


def attempt_payload(attempt: Attempt, items: list[AttemptQuestion]) -> dict:
    closed = attempt.status != AttemptStatus.OPEN
    return {
        "id": attempt.pk,
        "kind": attempt.kind,
        "title": attempt_title(attempt),
        "status": attempt.status,
        "practice": attempt.is_practice,
        "started_at": attempt.started_at,
        "ends_at": attempt.deadline,
        "server_now": timezone.now(),
        "questions": [question_payload(item) for item in items],
        "answers": {
            str(item.question_id): response_payload(item)
            for item in items
            if item.response is not None
        },
        "results": [
            result_payload(item)
            for item in items
            if closed or (attempt.is_practice and item.correct is not None)
        ],
        "score": float(attempt.score) if attempt.score is not None else None,
        "max_score": float(attempt.max_score),
        "passed": attempt.passed,
    }


def submit_payload(attempt: Attempt, items: list[AttemptQuestion]) -> dict:
    return {
        "id": attempt.pk,
        "status": attempt.status,
        "score": float(attempt.score or 0),
        "max_score": float(attempt.max_score),
        "passed": attempt.passed,
        "finished_at": attempt.finished_at,
        "results": [result_payload(item) for item in items],
    }
