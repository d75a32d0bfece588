"""``manage.py build_question_bank``: writes fixtures/question_bank.xlsx from the
reviewed source fixtures/question_bank.json, in the import format (the demo
city imports the .xlsx through the real importer)."""

import json

from django.conf import settings
from django.core.management.base import BaseCommand

from quizzes.excel import questions_xlsx
from quizzes.models import Question

SOURCE = settings.BASE_DIR / "fixtures" / "question_bank.json"
TARGET = settings.BASE_DIR / "fixtures" / "question_bank.xlsx"


def questions_from_json(path=SOURCE) -> list[Question]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return [Question(is_active=True, **spec) for spec in data["questions"]]


class Command(BaseCommand):
    help = "Build fixtures/question_bank.xlsx from fixtures/question_bank.json."

    def handle(self, *args, **options):
        questions = questions_from_json()
        TARGET.write_bytes(questions_xlsx(questions))
        self.stdout.write(f"Wrote {len(questions)} questions to {TARGET}.")
