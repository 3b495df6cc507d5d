"""Demo data for a fresh installation: ``python manage.py seed_demo``."""

import random
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand

from communes.demo import seed_committees_and_logins
from communes.models import AdministrativeUnit
from communes.selectors import today
from households.demo import seed_households
from households.demo_current import fill_school_facts, seed_current_review
from households.demo_events import seed_household_events
from households.standards_data import link_provincial_standards
from households.submission_data import ensure_reporting_lines
from plans.demo import seed_plans_and_support
from plans.demo_followup import seed_followup


class Command(BaseCommand):
    help = (
        "Create demo villages, committees, logins, the 2015–2025 history of poor and "
        "near-poor households and the 2026 review under way (idempotent)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--password", default="demo12345", help="password of every login")
        parser.add_argument("--seed", type=int, default=2020, help="random seed")
        parser.add_argument(
            "--without-households",
            action="store_true",
            help="only units, committees and logins (fast; for tests that need no cases)",
        )

    def handle(self, *args, password, seed, without_households=False, **options):
        if not AdministrativeUnit.objects.exists():
            call_command("load_units", stdout=self.stdout)
        link_provincial_standards()
        ensure_reporting_lines()
        rng = random.Random(seed)
        logins = seed_committees_and_logins(password=password, rng=rng)
        if not without_households:
            self._seed_households(rng)
        self.stdout.write(self.style.SUCCESS(f"Demo data ready. Logins (password: {password}):"))
        self.stdout.write(f"  {'admin':<16} superuser")
        for login in logins:
            where = login.unit_code and f"ward {login.unit_code}" or "city"
            self.stdout.write(f"  {login.username:<16} {login.role:<13} {where}")
        self.stdout.write(
            "Two-factor sign-in: admin, the heads and the city logins enrol at their first\n"
            "  sign-in: after the password, scan the QR code with an authenticator app\n"
            "  (Google Authenticator, FreeOTP, ...; or type the key shown), enter its 6-digit\n"
            "  code, and keep the 10 recovery codes shown. Officers and members may enrol\n"
            "  from their menu (Two-factor sign-in). TWO_FACTOR_ENFORCED=0 turns it off."
        )

    def _seed_households(self, rng: random.Random) -> None:
        started = time.perf_counter()
        summary = seed_households(rng=rng, stdout=self.stdout)
        elapsed = time.perf_counter() - started

        if summary.created:
            self.stdout.write(f"Households created in {elapsed:.1f} s.")
        else:
            self.stdout.write("Demo households already exist: none created.")
        self.stdout.write(
            f"  {summary.households} households, {summary.members} members, "
            f"{summary.assessments} assessments"
        )
        plans = seed_plans_and_support(rng=rng, stdout=self.stdout)
        self.stdout.write(
            f"  {plans.plans} exit plans, {plans.actions} actions "
            f"({plans.overdue_actions} overdue), {plans.support_records} support records"
        )
        current = seed_current_review(
            rng=random.Random(rng.random()), today=today(), stdout=self.stdout
        )
        if current is not None:
            self.stdout.write(
                f"  Review under way: 2026 periodic review (2027 lists, 2026–2030 standard), "
                f"{current.listed} households listed, {current.surveyed} surveyed, "
                f"{current.agreed} agreed by a village meeting, none decided; "
                f"{current.regular_decided} regular applications of 2026 decided (NĐ 07)"
            )
        moves = seed_household_events(today=today(), stdout=self.stdout)
        if moves.created:
            self.stdout.write(
                f"  Household events: split {moves.split or '–'}, merge {moves.merge or '–'}, "
                f"move {moves.move or '–'}"
            )
        followed = seed_followup(today=today())
        self.stdout.write(
            f"  {followed.followed} households of Hạ Long on follow-up after exit, "
            f"{followed.checks} yearly checks"
        )
        pupils = fill_school_facts(today=today())
        if pupils:
            self.stdout.write(f"  {pupils} pupils given a school and a grade (school lists)")
        self.stdout.write("  Year  Poor   (%)    Near-poor (%)    Households")
        for f in summary.figures:
            self.stdout.write(
                f"  {f.year}  {f.poor:>5}  {f.poor_rate:>5.2f}  {f.near_poor:>5}"
                f"     {f.near_poor_rate:>5.2f}  {f.households:>10,}"
            )
