"""``manage.py orglife_tick``: the periodic work of organisational life.

Gives every session that has ended (and is not cancelled) its make-up tasks,
once (``orglife.makeup.makeup_create_due``). Run it every minute: the compose
stack's ``scheduler`` service does, beside ``close_overdue_attempts``; the pages
that show make-up tasks also call it, so a missed tick delays nothing a member
sees. ``--loop SECONDS`` keeps running."""

import time

from django.core.management.base import BaseCommand

from orglife.makeup import makeup_create_due


class Command(BaseCommand):
    help = "Create the make-up tasks of the sessions that have ended."

    def add_arguments(self, parser):
        parser.add_argument("--loop", type=int, default=0, help="repeat every N seconds")

    def handle(self, *args, loop: int, **options):
        while True:
            created = makeup_create_due()
            if created or options["verbosity"] > 1:
                self.stdout.write(f"Created {created} make-up task(s).")
            if not loop:
                return
            time.sleep(loop)
