from django.apps import AppConfig


class CrsvMisConfig(AppConfig):
    name = "crsv_mis"
    verbose_name = "Platform"
