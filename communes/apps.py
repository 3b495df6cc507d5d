from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunesConfig(AppConfig):
    name = "communes"
    verbose_name = _("Administrative units and committees")

    def ready(self):
        from . import reauth, sessions  # noqa: F401 - connect their signal receivers
