from django.core.management.base import BaseCommand

from communes.jobs.services import cleanup_jobs


class Command(BaseCommand):
    help = (
        "Delete background jobs' result files past their retention (JOB_RESULT_RETENTION_HOURS), "
        "jobs older than --keep-days, and finished task rows. Run it daily (docs/deploy.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--keep-days", type=int, default=90)

    def handle(self, *args, keep_days, **options):
        counts = cleanup_jobs(keep_days=keep_days)
        self.stdout.write(
            f"{counts['files']} result files deleted, {counts['jobs']} old jobs forgotten, "
            f"{counts['tasks']} finished task rows pruned."
        )
