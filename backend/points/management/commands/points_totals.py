"""
``manage.py points_totals``: checks the per-period totals against a recount of
the ledger and lists every difference (exit status 1 if any); ``--rebuild``
replaces them with the recount (run it while no awards are being made).
"""

from django.core.management.base import BaseCommand, CommandError

from backend.points.totals import totals_rebuild, totals_verify


class Command(BaseCommand):
    help = "Check (or rebuild) the per-period points totals against the ledger."

    def add_arguments(self, parser):
        parser.add_argument(
            "--rebuild", action="store_true", help="replace the totals with the recount"
        )

    def handle(self, *args, rebuild=False, **options):
        if rebuild:
            written = totals_rebuild()
            self.stdout.write(f"rebuilt: {written} totals")
        diffs = totals_verify()
        for member_id, period, stored, recounted in diffs[:50]:
            self.stdout.write(f"member {member_id} {period}: stored {stored}, ledger {recounted}")
        if diffs:
            raise CommandError(f"{len(diffs)} totals differ from the ledger")
        self.stdout.write("totals equal the ledger")
