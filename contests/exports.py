"""A finished contest as a workbook: players, questions, teams; accuracy and score apart."""

from openpyxl import Workbook
from openpyxl.styles import Font

from backend.common.xlsx import safe_cell, workbook_bytes

from . import engine
from .models import Contest
from .services import contest_replay


def _header(sheet, titles):
    sheet.append(titles)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)


def contest_results_xlsx(contest: Contest) -> bytes:
    room = contest_replay(contest)
    table = engine.standings(room)
    workbook = Workbook()
    players = workbook.active
    players.title = "个人成绩"
    _header(players, ["名次", "姓名", "党支部/队伍", "得分", "答对题数", "作答题数", "正确率"])
    for s in sorted(table.values(), key=lambda s: (s.rank, s.name)):
        name, team = safe_cell(s.name), safe_cell(s.team or "")
        players.append([s.rank, name, team, s.score, s.correct, s.answered, round(s.accuracy, 3)])
    questions = workbook.create_sheet("逐题统计")
    _header(questions, ["题号", "题目", "作答人数", "答对人数", "答对率", "已作废"])
    for seq, question in enumerate(room.questions[: room.seq], start=1):
        answers = [a for a in room.answers.values() if a.seq == seq]
        right = sum(engine.is_correct(question, room.key_for(seq), a.response) for a in answers)
        share = round(right / len(answers), 3) if answers else None
        voided = "是" if seq in room.voided else ""
        questions.append([seq, safe_cell(question.text), len(answers), right, share, voided])
    if any(s.team for s in table.values()):
        teams = workbook.create_sheet("团体成绩")
        _header(teams, ["名次", "队伍", "团体得分", "人数", "参与率"])
        for t in engine.team_standings(room, table, room.seq):
            teams.append([t.rank, safe_cell(t.name), t.score, t.members, round(t.participation, 3)])
    players.column_dimensions["B"].width = 14
    players.column_dimensions["C"].width = 20
    questions.column_dimensions["B"].width = 60
    return workbook_bytes(workbook)
