from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    """Background jobs (imports, exports, reports) and the users' reminders."""

    name = "communes.jobs"
    label = "jobs"
    verbose_name = _("Background jobs and reminders")
