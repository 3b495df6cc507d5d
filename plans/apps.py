from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "plans"
    verbose_name = _("Exit plans and support")

    def ready(self):
        from . import event_checks

        event_checks.register()
