"""Run retention now: update the plan and anonymise what was listed for the notice period, or with
--dry-run only say what a pass would do (nothing is written but the run's own record)."""

from django.core.management.base import BaseCommand, CommandError

from crsv_mis.models import Mission
from lifecycle import retention
from lifecycle.models import RecordClass


class Command(BaseCommand):
    help = "Plan and apply retention (anonymise records past their period that were listed long enough)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Say what would happen; change nothing.")
        parser.add_argument("--mission", help="Mission code (default: every mission).")

    def handle(self, *args, dry_run=False, mission=None, **options):
        missions = Mission.objects.order_by("pk")
        if mission:
            missions = missions.filter(code=mission)
            if not missions.exists():
                raise CommandError(f"No mission with code {mission}.")
        for each in missions:
            done = retention.run(each, dry_run=dry_run, trigger="command")
            self.stdout.write(f"{each.code}: {'dry run' if dry_run else 'run'} {done.pk}")
            for record_class in RecordClass:
                c = done.counts.get(record_class, {})
                done_now = f"would anonymise {c.get('ready', 0)}" if dry_run else f"anonymised {c.get('anonymised', 0)}"
                self.stdout.write(f"  {record_class.value}: past retention {c.get('due', 0)}, newly listed "
                                  f"{c.get('new', 0)}, held {c.get('held', 0)}, listed long enough "
                                  f"{c.get('ready', 0)}, {done_now}")
