from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "reporting"

    def ready(self):
        from incidents.signals import incidents_changed

        from . import rollup

        incidents_changed.connect(rollup.mark_stale_on_change, dispatch_uid="reporting.mark_stale")
