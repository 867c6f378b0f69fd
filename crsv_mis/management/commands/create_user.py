"""Create an account from the command line, the password read from standard input.

    echo "$PASSWORD" | manage.py create_user amina --role HRO --duty-station goma --password-stdin

A data role (crsv_mis.models.DATA_ROLES) is only asked for here, as in the Django admin: an SWPA
of the mission approves it on the role requests page. The one exception is the mission's first
SWPA, who has nobody to approve them: given at once, and audited as role.bootstrap.
"""

import sys

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import ngettext

from crsv_mis import audit, roles
from crsv_mis.models import DATA_ROLES, DutyStation, Mission, Role, User


class Command(BaseCommand):
    help = "Create a user with a role, duty stations and a mission; the password comes from stdin."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, help="One of: " + ", ".join(Role.values))
        parser.add_argument(
            "--duty-station", dest="duty_stations", action="append", default=[], metavar="CODE",
            help="Duty station code; repeat for several.",
        )
        parser.add_argument("--mission", metavar="CODE", help="Mission code (default: the duty station's mission).")
        parser.add_argument(
            "--password-stdin", action="store_true", required=True,
            help="Read the password from the first line of standard input.",
        )

    def handle(self, *args, username, role, duty_stations, mission, password_stdin, **options):
        if role not in Role.values:
            raise CommandError(f"Unknown role {role!r}. Choose one of: {', '.join(Role.values)}.")
        if User.objects.filter(username__iexact=username).exists():
            raise CommandError(f"User {username!r} already exists.")

        codes = list(dict.fromkeys(duty_stations))
        stations = list(DutyStation.objects.select_related("mission").filter(code__in=codes))
        unknown = sorted(set(codes) - {s.code for s in stations})
        if unknown:
            raise CommandError(ngettext("Unknown duty station code: %(codes)s.",
                                        "Unknown duty station codes: %(codes)s.", len(unknown))
                               % {"codes": ", ".join(unknown)})

        mission_obj = self._mission(mission, stations)
        if role in DATA_ROLES and mission_obj is None:
            raise CommandError(f"The {role} role belongs to a mission: pass --mission or --duty-station.")

        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise CommandError("No password on standard input.")
        candidate = User(username=username, role=role, mission=mission_obj)
        try:
            validate_password(password, user=candidate)
        except ValidationError as exc:
            raise CommandError("Password rejected:\n" + "\n".join(f"  - {m}" for m in exc.messages)) from None

        with transaction.atomic():
            user = User.objects.create_user(username=username, password=password, mission=mission_obj)
            audit.record(
                "user.create",
                obj=user,
                detail={
                    "username": username,
                    "role": role,
                    "duty_stations": [s.code for s in stations],
                    "mission": mission_obj.code if mission_obj else None,
                },
            )
            if role == Role.SWPA and mission_obj and not User.objects.filter(
                    mission=mission_obj, role=Role.SWPA, is_active=True).exists():
                user.duty_stations.set(stations)
                roles.bootstrap_first_swpa(user, mission=mission_obj)
                grant = None
            else:
                grant = roles.assign(user, role=role, mission=mission_obj, duty_stations=stations, by=None)
        if grant is None:
            self.stdout.write(self.style.SUCCESS(f"Created user {username} ({role})."))
        else:
            self.stdout.write(self.style.SUCCESS(
                f"Created user {username}; the {role} role awaits the approval of an SWPA of the mission."))

    def _mission(self, code, stations):
        if code:
            mission = Mission.objects.filter(code=code).first()
            if mission is None:
                raise CommandError(f"Unknown mission code {code!r}.")
            foreign = sorted(s.code for s in stations if s.mission_id != mission.pk)
            if foreign:
                raise CommandError(ngettext(
                    "Duty station %(codes)s does not belong to mission %(mission)s.",
                    "Duty stations %(codes)s do not belong to mission %(mission)s.", len(foreign))
                    % {"codes": ", ".join(foreign), "mission": code})
            return mission
        if stations:
            missions = {s.mission_id for s in stations}
            if len(missions) > 1:
                raise CommandError("The duty stations belong to different missions; pass --mission.")
            return stations[0].mission
        return Mission.objects.filter(code=settings.MISSION_CODE).first()
