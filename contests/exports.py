"""A finished contest as a workbook: players, questions, teams; accuracy and score apart."""

from datetime import UTC, datetime

from django.utils import timezone
from openpyxl import Workbook

from backend.common.xlsx import header_row, safe_cell, workbook_bytes

from . import engine, stage
from .models import Contest
from .selectors import contest_results, is_guest
from .services import contest_replay, contest_stage_replay

KINDS = {
    "answer": "作答",
    "early_buzz": "抢答过早",
    "timeout": "超时",
    "void": "作废",
    "correction": "更正",
}
RESULTS = {
    "right": "正确",
    "wrong": "错误",
    "partial": "部分正确",
    "timeout": "超时",
    "early": "过早",
    "void": "作废",
}
BY = {"judge": "裁判", "auto": "自动判分", "system": "系统"}


def stage_results_xlsx(contest: Contest) -> bytes:
    """On stage: the teams' order (recounted from the stored audit log) and the log."""
    room = contest_stage_replay(contest)
    workbook = Workbook()
    teams = workbook.active
    teams.title = "团体成绩"
    header_row(teams, ["名次", "队伍", "得分", "基础分"])
    for row in stage.ranking(room):
        teams.append([row["rank"], safe_cell(row["name"]), row["score"], room.base])
    log = workbook.create_sheet("裁判记录")
    header_row(
        log,
        ["序号", "时间", "轮次", "题号", "队伍", "类别", "结果", "分数变化", "判定", "更正序号"],
    )
    for d in contest.decisions.all():
        at = timezone.localtime(datetime.fromtimestamp(d.at / 1000, tz=UTC))
        log.append(
            [
                d.entry, at.strftime("%H:%M:%S"), d.round, d.seq, safe_cell(d.team),
                KINDS.get(d.kind, d.kind), RESULTS.get(d.result, d.result), d.delta,
                BY.get(d.by, d.by), d.corrects,
            ]
        )  # fmt: skip
    teams.column_dimensions["B"].width = 24
    log.column_dimensions["E"].width = 24
    return workbook_bytes(workbook)


__all__ = ["contest_results_xlsx", "is_guest", "stage_results_xlsx"]


def contest_results_xlsx(contest: Contest) -> bytes:
    """Players and teams as the results page and the API show them
    (``selectors.contest_results``: the final recount, voids and rescores
    applied); per question, the stored answers against the corrected keys."""
    if contest.format == "stage":
        return stage_results_xlsx(contest)
    results = contest_results(contest)
    workbook = Workbook()
    players = workbook.active
    players.title = "个人成绩"
    header_row(
        players,
        [
            "名次", "姓名", "党支部/队伍", "得分", "答对题数", "作答题数", "出题数",
            "答对/出题", "答对/作答", "访客",
        ],
    )  # fmt: skip
    for r in results.ranking:
        players.append(
            [
                r.rank, safe_cell(r.name), safe_cell(r.team), r.score, r.correct, r.answered,
                r.asked, round(r.accuracy_of_asked, 3), round(r.accuracy_of_answered, 3),
                "是" if r.guest else "",
            ]
        )  # fmt: skip
    room = contest_replay(contest)
    questions = workbook.create_sheet("逐题统计")
    header_row(questions, ["题号", "题目", "作答人数", "答对人数", "答对率", "已作废"])
    for seq, question in enumerate(room.questions[: room.seq], start=1):
        answers = [a for a in room.answers.values() if a.seq == seq]
        right = sum(engine.is_correct(question, room.key_for(seq), a.response) for a in answers)
        share = round(right / len(answers), 3) if answers else None
        voided = "是" if seq in room.voided else ""
        questions.append([seq, safe_cell(question.text), len(answers), right, share, voided])
    if results.teams:
        teams = workbook.create_sheet("团体成绩")
        header_row(teams, ["名次", "队伍", "团体得分", "人数", "参与率"])
        for t in results.teams:
            teams.append([t.rank, safe_cell(t.name), t.score, t.members, round(t.participation, 3)])
    players.column_dimensions["B"].width = 14
    players.column_dimensions["C"].width = 20
    questions.column_dimensions["B"].width = 60
    return workbook_bytes(workbook)
