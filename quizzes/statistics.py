"""
Item analysis of a quiz: facility (share correct) and discrimination (correct
share in the upper 27 % by score minus the lower 27 %), the score distribution,
and flags for questions that are too easy, too hard or discriminate negatively.
The arithmetic is pure; ``quiz_statistics`` loads the rows in one query.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from openpyxl import Workbook
from openpyxl.styles import Font

from backend.common.xlsx import safe_cell, workbook_bytes

from .models import AttemptQuestion, AttemptStatus, Question, Quiz

TOO_EASY, TOO_HARD, NEGATIVE = "too_easy", "too_hard", "negative_discrimination"
FLAG_LABELS = {TOO_EASY: "过易", TOO_HARD: "过难", NEGATIVE: "区分度为负"}
GROUP_SHARE = 0.27


def facility(correct: list[bool]) -> float | None:
    return sum(correct) / len(correct) if correct else None


def discrimination(rows: list[tuple[float, bool]]) -> float | None:
    """``rows``: (attempt score, answered this question right). None below 4 attempts."""
    if len(rows) < 4:
        return None
    ordered = sorted(rows, key=lambda row: row[0])
    size = max(1, round(len(ordered) * GROUP_SHARE))
    lower, upper = ordered[:size], ordered[-size:]
    return sum(right for _s, right in upper) / size - sum(right for _s, right in lower) / size


def flags_for(facility_: float | None, discrimination_: float | None) -> list[str]:
    flags = []
    if facility_ is not None and facility_ > 0.9:
        flags.append(TOO_EASY)
    if facility_ is not None and facility_ < 0.2:
        flags.append(TOO_HARD)
    if discrimination_ is not None and discrimination_ < 0:
        flags.append(NEGATIVE)
    return flags


def distribution(percentages: list[float]) -> list[tuple[str, int]]:
    """Counts of attempts per 10-point band of the percentage score."""
    bands = [0] * 10
    for value in percentages:
        bands[min(9, int(value // 10))] += 1
    return [(f"{i * 10}–{i * 10 + 9 if i < 9 else 100}", n) for i, n in enumerate(bands)]


@dataclass
class QuestionStat:
    question_id: int
    stem: str
    kind: str
    category: str
    answered: int
    facility: float | None
    discrimination: float | None
    flags: list[str] = field(default_factory=list)


@dataclass
class QuizReport:
    quiz: Quiz
    attempts: int
    mean_percent: float | None
    pass_rate: float | None
    distribution: list[tuple[str, int]]
    questions: list[QuestionStat]


def quiz_statistics(*, quiz: Quiz) -> QuizReport:
    rows = AttemptQuestion.objects.filter(
        attempt__quiz=quiz,
        attempt__status__in=[AttemptStatus.SUBMITTED, AttemptStatus.EXPIRED],
    ).values_list(
        "attempt_id",
        "attempt__score",
        "attempt__max_score",
        "attempt__passed",
        "question_id",
        "correct",
    )
    by_question: dict[int, list[tuple[float, bool]]] = defaultdict(list)
    attempts: dict[int, tuple[float, bool]] = {}
    for attempt_id, score, max_score, passed, question_id, correct in rows:
        percent = float(score or 0) * 100 / float(max_score) if max_score else 0.0
        attempts[attempt_id] = (percent, bool(passed))
        by_question[question_id].append((percent, bool(correct)))
    questions = Question.objects.in_bulk(list(by_question))
    stats = []
    for question_id, answers in by_question.items():
        question = questions[question_id]
        f = facility([right for _s, right in answers])
        d = discrimination(answers)
        stats.append(
            QuestionStat(
                question_id=question_id,
                stem=question.stem,
                kind=question.get_kind_display(),
                category=question.category,
                answered=len(answers),
                facility=f,
                discrimination=d,
                flags=flags_for(f, d),
            )
        )
    stats.sort(key=lambda s: (-len(s.flags), s.facility if s.facility is not None else 1))
    percents = [percent for percent, _p in attempts.values()]
    return QuizReport(
        quiz=quiz,
        attempts=len(attempts),
        mean_percent=sum(percents) / len(percents) if percents else None,
        pass_rate=sum(p for _x, p in attempts.values()) / len(attempts) if attempts else None,
        distribution=distribution(percents),
        questions=stats,
    )


def as_dict(report: QuizReport) -> dict:
    return {
        "quiz": report.quiz.pk,
        "attempts": report.attempts,
        "mean_percent": report.mean_percent,
        "pass_rate": report.pass_rate,
        "distribution": [{"band": band, "count": n} for band, n in report.distribution],
        "questions": [
            {
                "question": s.question_id,
                "stem": s.stem,
                "category": s.category,
                "answered": s.answered,
                "facility": s.facility,
                "discrimination": s.discrimination,
                "flags": s.flags,
            }
            for s in report.questions
        ],
    }


def statistics_xlsx(report: QuizReport) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "试题分析"
    sheet.append([safe_cell(report.quiz.title), f"提交 {report.attempts} 份"])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([])
    sheet.append(["题干", "题型", "分类", "作答人次", "难度系数（答对率）", "区分度", "提示"])
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for s in report.questions:
        sheet.append(
            [
                safe_cell(s.stem),
                s.kind,
                safe_cell(s.category),
                s.answered,
                round(s.facility, 3) if s.facility is not None else None,
                round(s.discrimination, 3) if s.discrimination is not None else None,
                "、".join(FLAG_LABELS[f] for f in s.flags),
            ]
        )
    sheet.column_dimensions["A"].width = 60
    scores = workbook.create_sheet("成绩分布")
    scores.append(["得分率区间", "人数"])
    for band, n in report.distribution:
        scores.append([band, n])
    return workbook_bytes(workbook)
