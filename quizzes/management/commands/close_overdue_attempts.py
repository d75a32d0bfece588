"""``manage.py close_overdue_attempts``: close and grade attempts past their deadline.

Run it every minute (the compose stack's ``scheduler`` service does; cron works
too). An attempt closed this way finishes at its deadline, with the answers
that were saved before it. ``--loop SECONDS`` keeps running."""

import time

from django.core.management.base import BaseCommand

from quizzes.services import attempts_close_overdue


class Command(BaseCommand):
    help = "Close and grade quiz attempts whose deadline has passed."

    def add_arguments(self, parser):
        parser.add_argument("--loop", type=int, default=0, help="repeat every N seconds")

    def handle(self, *args, loop: int, **options):
        while True:
            closed = attempts_close_overdue()
            if closed or options["verbosity"] > 1:
                self.stdout.write(f"Closed {closed} overdue attempt(s).")
            if not loop:
                return
            time.sleep(loop)
