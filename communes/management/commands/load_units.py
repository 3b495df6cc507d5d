from django.core.management.base import BaseCommand

from communes.unit_loading import load_units


class Command(BaseCommand):
    help = (
        "Load Quảng Ninh's administrative units (legacy Hạ Long city and its wards, "
        "and the units since 1 July 2025) and their successions from the "
        "vietnam-provinces package. Safe to run again."
    )

    def handle(self, *args, **options):
        details = self.stdout if options["verbosity"] >= 2 else None
        result = load_units(stdout=details)
        style = self.style.SUCCESS if result.changes else self.style.NOTICE
        self.stdout.write(style(result.summary()))
