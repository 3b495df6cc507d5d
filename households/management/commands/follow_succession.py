"""Move households of abolished units to their successors: run after a reform."""

import datetime

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from households.services.registry import households_follow_succession


class Command(BaseCommand):
    help = (
        "Move the households of units that ended on or before --date to their single "
        "successor. Households of split units are listed for a manual choice."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--date",
            type=datetime.date.fromisoformat,
            default=None,
            help="YYYY-MM-DD (default: today)",
        )
        parser.add_argument(
            "--user", required=True, help="username the history records are attributed to"
        )

    def handle(self, *args, date, user, **options):
        actor = get_user_model().objects.filter(username=user, is_active=True).first()
        if actor is None:
            raise CommandError(f"No active user named {user!r}.")
        result = households_follow_succession(actor=actor, on=date or timezone.localdate())
        self.stdout.write(f"Moved: {len(result.moved)}")
        if result.needs_choice:
            self.stdout.write(
                f"Split units, choose the new unit on each household's page: "
                f"{len(result.needs_choice)}"
            )
            for household in result.needs_choice:
                self.stdout.write(f"  {household.unit.name}: {household.code}")
        for household, reason in result.blocked:
            self.stdout.write(f"Not moved {household.unit.name} {household.code}: {reason}")
        if result.needs_choice or result.blocked:
            raise CommandError("Some households were not moved (listed above).")
