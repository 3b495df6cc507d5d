from django.apps import AppConfig


class HalongConfig(AppConfig):
    name = "halong"
    verbose_name = "Hạ Long"

    def ready(self):
        from . import twofactor  # noqa: F401 - connects the sign-in receiver
