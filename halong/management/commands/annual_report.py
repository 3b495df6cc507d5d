"""``python manage.py annual_report --year Y [--unit CODE] [--standard CODE] --format json|xlsx``."""

import datetime
import json

from django.core.management.base import BaseCommand, CommandError

from communes.selectors import resolve_unit_code
from halong.report_export import write_xlsx
from halong.reports import annual_report
from households.models import PovertyStandard


class Command(BaseCommand):
    help = (
        "The annual report of the poverty review (poor and near-poor households: start, "
        "decreases, increases, end) for the city or one ward/commune, as JSON or .xlsx."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True, help="review year")
        parser.add_argument(
            "--unit",
            help=(
                "GSO code of a ward/commune valid in that year (codes were reused in 2025, "
                "so the year decides which unit it is); default: the city"
            ),
        )
        parser.add_argument(
            "--standard", help="poverty standard code; default: the national standard in force"
        )
        parser.add_argument("--format", choices=["json", "xlsx"], default="json")
        parser.add_argument("--out", help="output file (required for xlsx; JSON: stdout)")

    def handle(self, *args, year, unit, standard, format, out, **options):
        if not 1900 < year < 2200:
            raise CommandError(f"Year {year} is out of range.")
        root = None
        if unit:
            root = resolve_unit_code(unit, datetime.date(year, 12, 31))
            if root is None:
                raise CommandError(
                    f"No ward or commune with code {unit!r} existed on 31/12/{year}."
                )
        chosen = None
        if standard:
            chosen = PovertyStandard.objects.filter(code=standard).first()
            if chosen is None:
                known = ", ".join(PovertyStandard.objects.values_list("code", flat=True))
                raise CommandError(f"Unknown poverty standard {standard!r} (known: {known}).")
            if not chosen.can_report(year):
                raise CommandError(
                    f"Standard {chosen.code} is in force in {chosen.period} (the reviews of "
                    f"{chosen.review_period}), not in {year}."
                )
        if format == "xlsx" and not out:
            raise CommandError("--format xlsx needs --out FILE.")

        report = annual_report(year=year, root=root, standard=chosen)
        if format == "xlsx":
            write_xlsx(report, out)
            self.stderr.write(f"Written {out}")
            return
        text = json.dumps(report.as_json(), indent=2, ensure_ascii=False)
        if out:
            with open(out, "w", encoding="utf-8") as fh:
                fh.write(text + "\n")
            self.stderr.write(f"Written {out}")
        else:
            self.stdout.write(text)
