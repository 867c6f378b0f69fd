from django.apps import AppConfig


class MaraConfig(AppConfig):
    name = "mara"
    verbose_name = "MARA working group"
