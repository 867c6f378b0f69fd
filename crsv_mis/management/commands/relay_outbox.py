"""Send the queued tasks a broker outage left unsent (crsv_mis/outbox.py).

Needs the database only, so it keeps trying while Redis is down: `--loop` runs it every
`--interval` seconds (the `relay` service in docker-compose).
"""

import time

from django.core.management.base import BaseCommand
from django.db import DatabaseError, connections

from crsv_mis import outbox


class Command(BaseCommand):
    help = "Send the Celery tasks left unsent in the outbox while the broker was down."

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="Keep relaying every --interval seconds.")
        parser.add_argument("--interval", type=float, default=15.0)

    def handle(self, *args, loop=False, interval=15.0, **options):
        while True:
            try:
                sent, left = outbox.relay()
                if sent or left or not loop:
                    self.stdout.write(f"sent {sent}, unsent {left}")
            except DatabaseError as error:
                if not loop:
                    raise
                self.stderr.write(f"database unavailable ({type(error).__name__}); trying again")
                connections.close_all()
            if not loop:
                return
            time.sleep(interval)
