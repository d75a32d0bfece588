"""Spreadsheet exports of study reports."""

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font

from backend.common.xlsx import safe_cell, workbook_bytes

from .selectors import LectureReport


def lecture_report_xlsx(report: LectureReport) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "学习情况"
    sheet.append([safe_cell(report.lecture.title)])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append(
        [
            f"应学 {report.total} 人",
            f"已完成 {len(report.completed)} 人",
            f"完成率 {report.rate:.0%}",
        ]
    )
    sheet.append([])
    header = ["姓名", "用户名", "单位", "党支部", "学习时长（分钟）", "完成时间", "状态"]
    sheet.append(header)
    for cell in sheet[4]:
        cell.font = Font(bold=True)
    for row in report.rows:
        completed = (
            timezone.localtime(row.completed_at).strftime("%Y-%m-%d %H:%M")
            if row.completed_at
            else ""
        )
        sheet.append(
            [
                safe_cell(row.name),
                safe_cell(row.username),
                safe_cell(row.unit),
                safe_cell(row.branch),
                round(row.seconds_read / 60, 1),
                completed,
                "已完成" if row.completed_at else "未完成",
            ]
        )
    for column, width in zip("ABCDEFG", (12, 14, 20, 20, 16, 18, 10), strict=True):
        sheet.column_dimensions[column].width = width
    return workbook_bytes(workbook)
