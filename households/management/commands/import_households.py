"""Import households, members and review results from an .xlsx or .csv file.

    python manage.py import_households FILE --user USERNAME [--unit CODE] [--dry-run]

``--user`` is required: the import is checked against that user's rights
(units where they may import households) and the history and the access
log name them. For a city-wide load, name a superuser account. Every
problem is printed with its sheet, row and column; the command then exits
with status 1 and saves nothing. A file already imported (same bytes) is
refused.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from communes.models import AdministrativeUnit
from households.transfer.importing import import_households
from households.transfer.reading import FileRefused, open_table


class Command(BaseCommand):
    help = "Import households, members and review results from an .xlsx or .csv file."

    def add_arguments(self, parser):
        parser.add_argument("file", help="The .xlsx or .csv file.")
        parser.add_argument(
            "--user",
            required=True,
            help="Username whose rights apply and who is recorded as the author.",
        )
        parser.add_argument(
            "--unit", help="GSO code of the current ward/commune every row must belong to."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file and report; save nothing."
        )

    def handle(self, *args, **options):
        user = get_user_model().objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {options['user']!r}.")
        unit = None
        if options["unit"]:
            unit = (
                AdministrativeUnit.objects.grassroots()
                .valid_on(timezone.localdate())
                .filter(code=options["unit"])
                .first()
            )
            if unit is None:
                raise CommandError(f"No current ward or commune with code {options['unit']}.")
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No file {path}.")
        try:
            table = open_table(path, path.name)
        except FileRefused as error:
            raise CommandError(str(error)) from error
        try:
            result = import_households(
                table,
                actor=user,
                unit=unit,
                dry_run=options["dry_run"],
                file_name=path.name,
                sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
                command="import_households",
            )
        except PermissionDenied as error:
            raise CommandError(
                f"{user.username} may not import households"
                + (f" of {unit.name}." if unit else ".")
            ) from error
        for problem in result.problems:
            self.stderr.write(f"ERROR {problem}")
        for warning in result.warnings:
            self.stdout.write(f"WARNING {warning}")
        for name, counts in result.summary().items():
            self.stdout.write(
                f"{name}: {counts['created']} new, {counts['updated']} changed, "
                f"{counts['unchanged']} unchanged"
            )
        if result.problems:
            raise CommandError(
                f"{len(result.problems)} problem(s) in {path.name}: nothing was saved."
            )
        if result.saved:
            self.stdout.write(self.style.SUCCESS(f"Imported {result.rows} rows of {path.name}."))
        else:
            self.stdout.write(f"Dry run: {result.rows} rows checked, nothing saved.")
