"""Export households (and their review results) in the import's columns.

    python manage.py export_households --user USERNAME --output FILE
        [--unit CODE] [--year YEAR] [--format xlsx|csv]

The user's export rights decide which households are written; the export is
recorded in the access log.
"""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from communes.audit import AccessKind, log_access
from communes.permissions import Action, has_perm, unit_ids_with
from households.selectors import households_for
from households.transfer.exporting import export_households


class Command(BaseCommand):
    help = "Export households and review results as .xlsx or .csv."

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, help="Username whose rights apply.")
        parser.add_argument("--output", required=True, help="File to write.")
        parser.add_argument("--unit", help="GSO code of the households' current ward/commune.")
        parser.add_argument("--year", type=int, help="Review year of the results to include.")
        parser.add_argument("--format", choices=["xlsx", "csv"], default=None)

    def handle(self, *args, **options):
        user = get_user_model().objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {options['user']!r}.")
        if not has_perm(user, Action.EXPORT_HOUSEHOLDS):
            raise CommandError(f"{user.username} may not export households.")
        output = Path(options["output"])
        fmt = options["format"] or ("csv" if output.suffix.lower() == ".csv" else "xlsx")
        households = households_for(user)
        allowed = unit_ids_with(user, Action.EXPORT_HOUSEHOLDS)
        if allowed is not None:
            households = households.filter(unit_id__in=allowed)
        if options["unit"]:
            households = households.filter(unit__code=options["unit"], unit__valid_to__isnull=True)
        if options["year"]:
            households = households.filter(assessments__year=options["year"]).distinct()
        count = households.count()
        with output.open("wb") as out:
            for chunk in export_households(households, fmt=fmt, year=options["year"]):
                out.write(chunk)
        log_access(
            None,
            AccessKind.EXPORT,
            user=user,
            label=output.name,
            rows=count,
            units=households.order_by().values_list("unit_id", flat=True).distinct(),
            file=output.name,
            format=fmt,
            year=options["year"],
            command="export_households",
        )
        self.stdout.write(self.style.SUCCESS(f"Exported {count} households to {output}."))
