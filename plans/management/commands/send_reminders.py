import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from plans.reminders import build_digest, send_digests, sync_reminders


class Command(BaseCommand):
    help = (
        "Build every user's daily digest (actions due or overdue, health insurance cards "
        "expiring, applications near their deadline, loans past due), show it under the "
        "bell and e-mail it to users with an address. Run it once a day (docs/deploy.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="the day of the digest, YYYY-MM-DD (default: today)")
        parser.add_argument("--no-email", action="store_true", help="update the bell only")

    def handle(self, *args, date=None, no_email=False, **options):
        try:
            day = datetime.date.fromisoformat(date) if date else timezone.localdate()
        except ValueError as error:
            raise CommandError(f"--date: {error}") from error
        digest = build_digest(day)
        counts = sync_reminders(digest, day)
        sent = 0 if no_email else send_digests(digest, day)
        items = sum(len(items) for items in digest.values())
        self.stdout.write(
            f"{day:%d/%m/%Y}: {items} reminders for {len(digest)} users "
            f"({counts['created']} new, {counts['deleted']} no longer due); {sent} e-mails sent."
        )
