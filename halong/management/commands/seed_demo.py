"""Demo data for a fresh installation: ``python manage.py seed_demo``."""

import random

from django.core.management import call_command
from django.core.management.base import BaseCommand

from communes.demo import seed_committees_and_logins
from communes.models import AdministrativeUnit


class Command(BaseCommand):
    help = "Create demo villages, committees and logins (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--password", default="demo12345", help="password of every login")
        parser.add_argument("--seed", type=int, default=2020, help="random seed")

    def handle(self, *args, password, seed, **options):
        if not AdministrativeUnit.objects.exists():
            call_command("load_units", stdout=self.stdout)
        rng = random.Random(seed)
        logins = seed_committees_and_logins(password=password, rng=rng)
        self.stdout.write(self.style.SUCCESS(f"Demo data ready. Logins (password: {password}):"))
        self.stdout.write(f"  {'admin':<16} superuser")
        for login in logins:
            where = login.unit_code and f"ward {login.unit_code}" or "city"
            self.stdout.write(f"  {login.username:<16} {login.role:<13} {where}")
