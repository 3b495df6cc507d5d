"""``python manage.py create_api_token USERNAME [--days N] [--name NAME]``.

Prints the new token alone on its last line, so that
``$(manage.py create_api_token halong.officer | tail -1)`` is the token.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from halong.api.tokens import token_create


class Command(BaseCommand):
    help = "Create a personal API token for a user and print it (shown only this once)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--days",
            type=int,
            default=settings.API_TOKEN_DEFAULT_DAYS,
            help=f"validity in days (default {settings.API_TOKEN_DEFAULT_DAYS}, "
            f"at most {settings.API_TOKEN_MAX_DAYS})",
        )
        parser.add_argument("--name", default="", help="what the token is for")

    def handle(self, *args, username, days, name, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user {username!r}.")
        name = name or f"manage.py create_api_token {timezone.localdate():%d/%m/%Y}"
        try:
            token, raw = token_create(user=user, name=name, days=days)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        expires = timezone.localtime(token.expires_at)
        self.stdout.write(
            f"Token “{token.name}” of {username}, valid until {expires:%d/%m/%Y %H:%M}:"
        )
        self.stdout.write(raw)
