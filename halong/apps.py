from django.apps import AppConfig


class HalongConfig(AppConfig):
    name = "halong"
    verbose_name = "Hạ Long"

    def ready(self):
        from . import dashboard, twofactor  # noqa: F401 - twofactor connects the sign-in receiver

        dashboard.connect_receivers()
