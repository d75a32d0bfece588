"""
Benchmark: importing big question files (issue 15).

    .venv/bin/python bench/question_import.py [--questions 5000] [--runs 3]

Builds, in memory, files shaped like the real ones (``tests/quizzes/import_files.py``):
our own layout as .xlsx, the yf-exam template as .xlsx (a row per option: 5000
questions are ~25,000 rows), a GB18030 .csv and an .xls; then, in a throw-away
SQLite database in a temporary folder (or DATABASE_URL when set — use a scratch
database), times for each file: reading only, the dry run (the preview) into an
empty bank, and the commit into an empty bank; then the re-import of a bank's own
export (every question unchanged) and of that export with half the questions
edited (updates), dry run and commit. Prints seconds (median of the runs) and
query counts, then one JSON line with every figure.
"""

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.scratch import django_in_scratch_dir  # noqa: E402

KINDS = ("single", "multiple", "truefalse", "fill")


def jiangtang_questions(n: int) -> list[dict]:
    """Our layout's rows: the four kinds in turn, 分类, 标签, 出处 on some."""
    questions = []
    for i in range(1, n + 1):
        kind = KINDS[i % 4]
        row = {
            "kind": {"single": "单选", "multiple": "多选", "truefalse": "判断", "fill": "填空"}[
                kind
            ],
            "explanation": f"第{i}题的解析：见党章相关条款。",
            "difficulty": 1 + i % 5,
            "category": f"分类{i % 12}",
            "tags": "党章,党规" if i % 3 else "",
            "source": "《中国共产党章程》" if i % 7 == 0 else "",
        }
        if kind == "single":
            row |= {
                "stem": f"第{i}题 党的最高领导机关是（　）。",
                "options": [f"选项甲{i}", f"选项乙{i}", f"选项丙{i}", f"选项丁{i}"],
                "answer": "B",
            }
        elif kind == "multiple":
            row |= {
                "stem": f"第{i}题 党的纪律包括（　）。",
                "options": ["政治纪律", "组织纪律", f"财经纪律{i}", "廉洁纪律", "群众纪律"],
                "answer": "A,B,D",
            }
        elif kind == "truefalse":
            row |= {"stem": f"第{i}题 预备党员的预备期为一年。", "answer": "正确"}
        else:
            row |= {"stem": f"第{i}题 年满（　）岁可以申请入党。", "answer": "十八/18"}
        questions.append(row)
    return questions


def yf_exam_questions(n: int) -> list[dict]:
    """The yf-exam template's questions: 4 options (2 for 判断), ~5 rows each."""
    questions = []
    for i in range(1, n + 1):
        kind = (1, 2, 3, 1)[i % 4]
        if kind == 3:
            options = [("正确", 1), ("错误", 0)]
        else:
            options = [
                (
                    f"第{i}题选项{letter}",
                    1 if (letter == "B" or (kind == 2 and letter == "D")) else 0,
                )
                for letter in "ABCD"
            ]
        questions.append(
            {
                "type": kind,
                "content": f"第{i}题 关于党的建设，下列说法正确的是（　）。",
                "analysis": f"解析{i}",
                "repo": "党章党规",
                "options": options,
            }
        )
    return questions


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--questions", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", default="", help="comma-separated file names to time")
    args = parser.parse_args()

    django_in_scratch_dir()

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from quizzes.excel import bank_export_xlsx, questions_xlsx
    from quizzes.importing.plan import questions_import
    from quizzes.importing.read import read_questions
    from tests.factories import make_bank, make_unit
    from tests.quizzes import import_files

    unit = make_unit()
    n = args.questions
    started = time.perf_counter()
    ours = jiangtang_questions(n)
    our_rows = import_files.jiangtang_rows(ours)
    files = {
        "jiangtang.xlsx": import_files.xlsx_bytes(our_rows),
        "yf_exam.xlsx": import_files.yf_exam_xlsx(yf_exam_questions(n)),
        "gb18030.csv": import_files.csv_bytes(our_rows),
        "jiangtang.xls": import_files.xls_bytes(our_rows),
    }
    if args.only:
        files = {name: data for name, data in files.items() if name in args.only.split(",")}
    build_seconds = time.perf_counter() - started
    figures: dict[str, dict] = {}

    def measure(label, call, *, before=None):
        timings, queries = [], 0
        for _ in range(args.runs):
            prepared = before() if before else None
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                result = call(prepared) if before else call()
                timings.append(time.perf_counter() - started)
            queries = len(captured)
        seconds = statistics.median(timings)
        figures[label] = {"s": round(seconds, 2), "queries": queries}
        print(f"{label:<44} {seconds:8.2f} s   {queries:4d} queries", flush=True)
        return result

    print(
        f"database: {connection.vendor}; {n} questions; files built in {build_seconds:.1f} s: "
        + ", ".join(f"{name} {len(data) // 1024} KB" for name, data in files.items()),
        flush=True,
    )
    empty = make_bank("空题库", unit=unit)
    for name, data in files.items():
        rows = measure(
            f"{name}: read", lambda data=data, name=name: read_questions(data=data, filename=name)
        )
        assert len(rows.rows) == n, (name, len(rows.rows))
        report = measure(
            f"{name}: dry run into an empty bank",
            lambda data=data, name=name: questions_import(bank=empty, data=data, filename=name),
        )
        assert report.ok and report.created == n, (name, report.detail, report.errors[:3])
        report = measure(
            f"{name}: commit into an empty bank",
            lambda bank, data=data, name=name: questions_import(
                bank=bank, data=data, filename=name, dry_run=False
            ),
            before=lambda: make_bank(unit=unit),
        )
        assert report.committed and report.created == n, (name, report.detail)

    bank = make_bank("导出再导入", unit=unit)
    questions_import(bank=bank, data=import_files.xlsx_bytes(our_rows), filename="a.xlsx",
                     dry_run=False)  # fmt: skip
    export = bank_export_xlsx(bank=bank)
    edited = list(bank.questions.order_by("id"))
    for question in edited[::2]:
        question.explanation += "（修订）"
    edited_export = questions_xlsx(edited)
    for label, data, expected in [
        ("export re-imported (all unchanged)", export, ("unchanged", n)),
        ("export edited (half updated)", edited_export, ("updated", n // 2 + n % 2)),
    ]:
        report = measure(
            f"{label}: dry run",
            lambda data=data: questions_import(bank=bank, data=data, filename="export.xlsx"),
        )
        assert getattr(report, expected[0]) == expected[1], (label, report.detail)
        # the same file committed again finds nothing more to change, so every run
        # after the first is the unchanged case: time one commit of each
        runs, args.runs = args.runs, 1
        measure(
            f"{label}: commit",
            lambda data=data: questions_import(
                bank=bank, data=data, filename="export.xlsx", dry_run=False
            ),
        )
        args.runs = runs
    # the pages: upload → preview → preview with other choices → confirm
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client
    from django.urls import reverse

    from backend.accounts.models import Role
    from tests.factories import make_user

    client = Client()
    client.force_login(make_user(Role.UNIT_ADMIN, unit=unit))
    yf_file = files.get("yf_exam.xlsx") or import_files.yf_exam_xlsx(yf_exam_questions(n))

    def pages(bank):
        response = client.post(
            reverse("authoring:bank_import", args=[bank.pk]),
            {"file": SimpleUploadedFile("yf_exam.xlsx", yf_file)},
        )
        assert response.status_code == 302, response.status_code
        preview = response["Location"]
        assert client.get(preview).status_code == 200
        assert client.get(preview + "?duplicates=keep&missing=keep").status_code == 200
        response = client.post(preview, {"action": "confirm", "duplicates": "keep"})
        assert response.status_code == 302 and bank.questions.count() == n

    measure(
        "yf_exam.xlsx pages: upload, 2 previews, confirm",
        pages,
        before=lambda: make_bank(unit=unit),
    )
    print(
        json.dumps(
            {
                "bench": "question_import",
                "database": connection.vendor,
                "questions": n,
                "runs": args.runs,
                "figures": figures,
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
