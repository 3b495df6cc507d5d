"""Rebuild the households' decided years (``HouseholdYear``) and prove them right."""

from django.core.management.base import BaseCommand, CommandError

from households.household_years import check_household_years, rebuild_household_years


class Command(BaseCommand):
    help = (
        "Recompute every household's decided years from the recognised decisions and store "
        "the rows that differ; with --check, store nothing and fail when a stored row "
        "differs from the recomputation."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, default=None, help="only this review year")
        parser.add_argument(
            "--check",
            action="store_true",
            help="compare the stored rows with a recomputation; exit 1 on a difference",
        )

    def handle(self, *args, year, check, **options):
        scope = f"year {year}" if year is not None else "all years"
        if check:
            differences = check_household_years(year=year)
            for d in differences[:20]:
                self.stdout.write(
                    f"household {d.household_id}, {d.year}: stored {d.stored} ≠ computed "
                    f"{d.computed}"
                )
            if differences:
                raise CommandError(
                    f"{len(differences)} household year(s) differ from the recomputation "
                    f"({scope}); run rebuild_household_years to repair them."
                )
            self.stdout.write(f"Household years equal the recomputation ({scope}).")
            return
        written, deleted = rebuild_household_years(year=year)
        self.stdout.write(f"Household years ({scope}): {written} written, {deleted} replaced.")
        differences = check_household_years(year=year)
        if differences:
            raise CommandError(f"{len(differences)} household year(s) still differ after rebuild.")
        self.stdout.write("Checked: the stored rows equal the recomputation.")
