"""Seed a fictional demo mission: gazetteer, duty stations, parties, one login per role, incidents.

    manage.py seed_demo [--incidents N] [--seed S]      (defaults: 400 incidents, seed 42)

Everything here is synthetic: the country, places, parties and people do not exist, and
every narrative and name says so. Safe to run twice: reference data is keyed on codes and
only the missing number of incidents is created (none if the mission already holds N).

Incidents are not created through services.create_incident, one at a time: that is far
too slow for benchmarks (100,000 incidents must seed in under two minutes on PostgreSQL on
two cores). They are built as plain rows in batches and written with COPY (PostgreSQL) or
executemany (SQLite), so this command does by hand what create_incident, the models'
save() and the fields' get_prep_value would otherwise do: references taken from
ReferenceCounter, admin1/admin2 copied from the location, victim codes and groups, field
encryption, one consent per use, and mara_shareable consistent with the consents."""

import os
import random
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from datetime import time as dt_time

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from crsv_mis import audit, roles
from crsv_mis.models import DATA_ROLES, DutyStation, Location, LocationLevel, Mission, Role, User
from incidents.alerts import ensure_default_indicators
from incidents.bulk import (
    CONSENT_FIELDS,
    INCIDENT_FIELDS,
    PERPETRATOR_FIELDS,
    THROUGH_FIELDS,
    VICTIM_FIELDS,
    Table,
)
from incidents.choices import (
    ConflictNexus,
    ConsentGivenBy,
    ConsentKind,
    Credibility,
    CrsvFormCode,
    DatePrecision,
    Disability,
    Displacement,
    PartyType,
    PerpetratorSex,
    Reliability,
    Sex,
    SiteType,
    SourceType,
    VerificationStatus,
    age_group_for,
)
from incidents.models import (
    Consent,
    FormOfViolence,
    Incident,
    Party,
    PartyAlias,
    Perpetrator,
    Victim,
    new_victim_code,
    victim_group_of,
)
from incidents.services import reserve_references
from incidents.sharing import shareable_with_mara
from incidents.signals import send_changed

MISSION_CODE = "DEMO"
MISSION_NAME = "Demo Mission (fictional)"
COUNTRY_NAME = "Republic of Veloria"
COUNTRY_PCODE = "VL"
BATCH_SIZE = 2000

# Invented province names; territories and localities are built from syllables below.
ADMIN1_NAMES = ["Arvenne", "Brisquel", "Coramund", "Dravosk", "Estrelle", "Fenmarrow"]
ADMIN2_PER_ADMIN1 = 4
LOCALITIES_PER_ADMIN2 = 4
# Relative weight of each province in the incident data: the first two are hotspots.
ADMIN1_WEIGHTS = [30, 22, 18, 12, 10, 8]

# code, name, location (index into ADMIN1_NAMES)
DUTY_STATIONS = [
    ("north-ds", "Northern field office (Arvenne)", 0),
    ("east-ds", "Eastern field office (Brisquel)", 1),
    ("south-ds", "Southern field office (Coramund)", 2),
    ("west-ds", "Western field office (Dravosk)", 3),
]
# Which duty station covers each province (the last two have no office of their own).
STATION_FOR_ADMIN1 = ["north-ds", "east-ds", "south-ds", "west-ds", "north-ds", "south-ds"]

# name, type, listed in the SG annex, aliases
PARTIES = [
    ("Veloria Armed Forces (FAV)", PartyType.STATE_ARMED_FORCES, False,
     ["Forces Armées de Veloria", "FAV"]),
    ("Veloria National Police (PNV)", PartyType.STATE_POLICE, False, ["Police Nationale Velorienne", "PNV"]),
    ("Directorate of Internal Vigilance (DVI)", PartyType.OTHER_STATE_SECURITY, False, ["DVI", "the Vigilance"]),
    ("Movement for the Liberation of Arvenne (MLA)", PartyType.NON_STATE_ARMED_GROUP, True,
     ["MLA", "Mouvement pour la Libération de l'Arvenne", "M.L.A."]),
    ("Coalition of the Sable Hills (CSH)", PartyType.NON_STATE_ARMED_GROUP, True,
     ["CSH", "Sable Hills Coalition", "Coalition des Collines de Sable"]),
    ("Brisquel Patriotic Front (FPB)", PartyType.NON_STATE_ARMED_GROUP, False,
     ["FPB", "Front Patriotique du Brisquel"]),
    ("Dravosk Self-Defence Militia", PartyType.COMMUNITY_MILITIA, False,
     ["Dravosk Self-Defense Militia", "Milice d'autodéfense du Dravosk"]),
    ("Northern Expeditionary Brigade (fictional foreign force)", PartyType.FOREIGN_FORCES, False,
     ["NEB", "the Expeditionary Brigade"]),
]

# Login per role: username, role, duty stations.
USERS = [
    ("wpa", Role.WPA, ["north-ds"]),
    ("swpa", Role.SWPA, []),
    ("hro", Role.HRO, ["east-ds", "south-ds"]),
    ("mara_chair", Role.MARA_CHAIR, []),
    ("mara_member", Role.MARA_MEMBER, []),
    ("referral_focal_point", Role.REFERRAL_FOCAL_POINT, []),
    ("leadership", Role.LEADERSHIP, []),
    ("field_reporter", Role.FIELD_REPORTER, ["north-ds"]),
    ("admin", Role.ADMIN, []),
    ("auditor", Role.AUDITOR, []),
]
# Who records incidents for each duty station.
RECORDERS = {"north-ds": ["wpa", "field_reporter"], "east-ds": ["hro"], "south-ds": ["hro"], "west-ds": ["swpa"]}


def demo_password(username):
    return f"demo-{username}-2026"


# ---- distributions: hundreds to low thousands of incidents a year, most victims women and girls (and
# always some men and boys), a majority attributed to non-state armed groups

FORM_WEIGHTS = {
    CrsvFormCode.RAPE: 55, CrsvFormCode.ATTEMPTED_RAPE: 10, CrsvFormCode.SEXUAL_SLAVERY: 6,
    CrsvFormCode.FORCED_MARRIAGE: 6, CrsvFormCode.OTHER_COMPARABLE: 6, CrsvFormCode.SEXUAL_TORTURE: 5,
    CrsvFormCode.FORCED_PROSTITUTION: 3, CrsvFormCode.TRAFFICKING_SEXUAL: 3, CrsvFormCode.SEXUAL_MUTILATION: 2,
    CrsvFormCode.FORCED_PREGNANCY: 2, CrsvFormCode.FORCED_ABORTION: 1, CrsvFormCode.ENFORCED_STERILIZATION: 1,
}
PERPETRATOR_TYPE_WEIGHTS = {
    PartyType.NON_STATE_ARMED_GROUP: 55, PartyType.STATE_ARMED_FORCES: 15, PartyType.COMMUNITY_MILITIA: 9,
    PartyType.UNIDENTIFIED_ARMED: 7, PartyType.STATE_POLICE: 5, PartyType.OTHER_STATE_SECURITY: 2,
    PartyType.FOREIGN_FORCES: 2, PartyType.CIVILIAN: 2, PartyType.UNKNOWN: 3,
}
PERPETRATOR_SEX_WEIGHTS = {PerpetratorSex.MALE: 84, PerpetratorSex.MIXED: 5, PerpetratorSex.UNKNOWN: 9,
                           PerpetratorSex.FEMALE: 2}
# Headline groups of victims: most are women and girls, never zero men and boys.
VICTIM_KIND_WEIGHTS = {"WOMEN": 62, "GIRLS": 24, "MEN": 8, "BOYS": 3, "UNKNOWN": 3}
SITE_WEIGHTS = {
    SiteType.HOME: 20, SiteType.FIELD_OR_FARM: 18, SiteType.ROAD_OR_ROUTE: 14,
    SiteType.WATER_OR_FIREWOOD_POINT: 10, SiteType.MARKET: 5, SiteType.IDP_OR_POC_SITE: 8,
    SiteType.MINING_SITE: 4, SiteType.CHECKPOINT: 5, SiteType.DETENTION_OR_BARRACKS: 4,
    SiteType.ARMED_GROUP_BASE: 4, SiteType.TRANSHUMANCE_CORRIDOR: 3, SiteType.SCHOOL: 1, SiteType.OTHER: 2,
    SiteType.UNKNOWN: 2,
}
SOURCE_WEIGHTS = {
    SourceType.SURVIVOR_INTERVIEW: 35, SourceType.HUMANITARIAN_PARTNER: 12, SourceType.MEDICAL_PROVIDER: 10,
    SourceType.FAMILY_OR_COMMUNITY: 9, SourceType.WITNESS: 7, SourceType.COMMUNITY_ALERT_NETWORK: 7,
    SourceType.CIVIL_SOCIETY: 6, SourceType.HOTLINE: 4, SourceType.UN_POLICE: 3, SourceType.MILITARY_PATROL: 3,
    SourceType.AUTHORITIES: 2, SourceType.MEDIA: 1, SourceType.OTHER: 1,
}
SOURCE_SEX_WEIGHTS = {Sex.FEMALE: 60, Sex.MALE: 30, Sex.UNKNOWN: 9, Sex.OTHER: 1}
RELIABILITY_WEIGHTS = {Reliability.A: 10, Reliability.B: 35, Reliability.C: 30, Reliability.D: 8,
                       Reliability.E: 2, Reliability.F: 15}
CREDIBILITY_WEIGHTS = {Credibility.C1: 15, Credibility.C2: 35, Credibility.C3: 30, Credibility.C4: 8,
                       Credibility.C5: 2, Credibility.C6: 10}
# Older records have mostly been through the MARA review; recent ones are still open.
STATUS_WEIGHTS_RECENT = {VerificationStatus.REPORTED: 60, VerificationStatus.UNDER_VERIFICATION: 35,
                         VerificationStatus.VERIFIED: 5}
STATUS_WEIGHTS_OLDER = {VerificationStatus.REPORTED: 15, VerificationStatus.UNDER_VERIFICATION: 20,
                        VerificationStatus.VERIFIED: 47, VerificationStatus.NOT_VERIFIED: 12,
                        VerificationStatus.DISCARDED: 6}
ARMED_TYPES = {PartyType.NON_STATE_ARMED_GROUP, PartyType.STATE_ARMED_FORCES, PartyType.COMMUNITY_MILITIA,
               PartyType.UNIDENTIFIED_ARMED, PartyType.STATE_POLICE, PartyType.OTHER_STATE_SECURITY,
               PartyType.FOREIGN_FORCES}
MARA_SHAREABLE_SHARE = 0.85
CHILD_GROUPS = {"0-4", "5-11", "12-17"}
DISPLACEMENTS = Displacement.values
DATE_PRECISIONS = [DatePrecision.DAY.value, DatePrecision.MONTH.value, DatePrecision.RANGE.value]
NEXUSES = ConflictNexus.values
DISABILITIES = [Disability.NO.value, Disability.YES.value, Disability.UNKNOWN.value]


class Picker:
    """Weighted choice with the cumulative weights computed once (random.choices is called a lot)."""

    def __init__(self, weights):
        # Plain str values: raw row writers must not receive enum members.
        self.values = [str(value) for value in weights]
        self.cum = []
        total = 0
        for value in weights:
            total += weights[value]
            self.cum.append(total)

    def __call__(self, rng):
        return rng.choices(self.values, cum_weights=self.cum)[0]


FORMS = Picker(FORM_WEIGHTS)
PERP_TYPES = Picker(PERPETRATOR_TYPE_WEIGHTS)
PERP_SEX = Picker(PERPETRATOR_SEX_WEIGHTS)
VICTIM_KINDS = Picker(VICTIM_KIND_WEIGHTS)
SITES = Picker(SITE_WEIGHTS)
SOURCES = Picker(SOURCE_WEIGHTS)
SOURCE_SEX = Picker(SOURCE_SEX_WEIGHTS)
RELIABILITY = Picker(RELIABILITY_WEIGHTS)
CREDIBILITY = Picker(CREDIBILITY_WEIGHTS)
STATUS_RECENT = Picker(STATUS_WEIGHTS_RECENT)
STATUS_OLDER = Picker(STATUS_WEIGHTS_OLDER)


# ---- reference data


def _invented_names(count, taken):
    """Pronounceable invented place names, the same on every run, none inside another."""
    rng = random.Random("veloria-gazetteer")  # nosec B311  # synthetic demo gazetteer, not a secret
    onsets = ["b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "br", "dr", "kr", "tr",
              "gl", "sk"]
    vowels = ["a", "e", "i", "o", "u", "ai", "ou"]
    endings = ["", "n", "r", "s", "l", "ko", "va", "de", "mar"]
    names = []
    while len(names) < count:
        syllables = "".join(rng.choice(onsets) + rng.choice(vowels) for _ in range(rng.choice([2, 3])))
        name = (syllables + rng.choice(endings)).capitalize()
        lowered = name.lower()
        if len(name) < 5 or any(lowered in t or t in lowered for t in taken):
            continue
        taken.add(lowered)
        names.append(name)
    return names


def gazetteer_plan():
    """(pcode, name, level, parent pcode) for the fictional country, provinces, territories, localities."""
    taken = {n.lower() for n in ADMIN1_NAMES} | {"veloria", "territory", "province", "synthetic"}
    n_admin2 = len(ADMIN1_NAMES) * ADMIN2_PER_ADMIN1
    admin2_names = iter(_invented_names(n_admin2, taken))
    locality_names = iter(_invented_names(n_admin2 * LOCALITIES_PER_ADMIN2, taken))
    plan = [(COUNTRY_PCODE, COUNTRY_NAME, LocationLevel.COUNTRY, None)]
    for i, admin1_name in enumerate(ADMIN1_NAMES, start=1):
        a1 = f"{COUNTRY_PCODE}{i:02d}"
        plan.append((a1, admin1_name, LocationLevel.ADMIN1, COUNTRY_PCODE))
        for j in range(1, ADMIN2_PER_ADMIN1 + 1):
            a2 = f"{a1}{j:02d}"
            plan.append((a2, next(admin2_names), LocationLevel.ADMIN2, a1))
            for k in range(1, LOCALITIES_PER_ADMIN2 + 1):
                plan.append((f"{a2}{k:02d}", next(locality_names), LocationLevel.LOCALITY, a2))
    return plan


class Created:
    def __init__(self):
        self.rows = 0

    def count(self, created):
        self.rows += int(bool(created))


def seed_reference_data(created):
    """Mission, gazetteer, duty stations, parties and users; returns the objects incidents need."""
    locations = {}
    for pcode, name, level, parent in gazetteer_plan():
        location = Location.objects.filter(pcode=pcode).first()
        if location is None:
            location = Location(pcode=pcode)
            created.count(True)
        elif (location.name, location.level, location.parent_id) == (
                name, level, locations[parent].pk if parent else None):
            locations[pcode] = location
            continue
        location.name, location.level = name, level
        location.parent = locations[parent] if parent else None
        location.save()  # fills admin1/admin2
        locations[pcode] = location

    mission, was_created = Mission.objects.update_or_create(
        code=MISSION_CODE, defaults={"name": MISSION_NAME, "country": locations[COUNTRY_PCODE]}
    )
    created.count(was_created)

    admin1_pcodes = [f"{COUNTRY_PCODE}{i:02d}" for i in range(1, len(ADMIN1_NAMES) + 1)]
    stations = {}
    for code, name, admin1_index in DUTY_STATIONS:
        stations[code], was_created = DutyStation.objects.update_or_create(
            code=code, defaults={"mission": mission, "name": name,
                                 "location": locations[admin1_pcodes[admin1_index]]}
        )
        created.count(was_created)

    parties = {}
    for name, party_type, listed, aliases in PARTIES:
        party, was_created = Party.objects.update_or_create(
            mission=mission, name=name, defaults={"party_type": party_type, "listed_in_sg_annex": listed}
        )
        created.count(was_created)
        for alias in aliases:
            created.count(PartyAlias.objects.get_or_create(party=party, name=alias)[1])
        parties.setdefault(party_type, []).append(party)

    existing = {u.username: u for u in User.objects.filter(username__in=[u[0] for u in USERS])}
    # The password is set only when an account is created: a rerun never resets it. Hashing
    # is deliberately slow and releases the GIL, so new accounts are hashed side by side.
    to_create = [username for username, _role, _codes in USERS if username not in existing]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        hashes = dict(zip(to_create, pool.map(lambda name: make_password(demo_password(name)), to_create),
                          strict=True))
    users = {}
    # Demo logins get their roles at once, without an SWPA's approval (crsv_mis/roles.py), each
    # given role audited.
    with roles.without_approval():
        for username, role, station_codes in USERS:
            user = existing.get(username)
            if user is None:
                user = User.objects.create(
                    username=username, role=role, mission=mission, is_staff=role == Role.ADMIN,
                    first_name="Demo", last_name=str(role.label), password=hashes[username],
                )
                created.count(True)
                if role in DATA_ROLES:
                    audit.record("role.seed", obj=user, detail={"role": role, "duty_stations": station_codes})
            if station_codes:
                user.duty_stations.add(*(stations[c] for c in station_codes))
            users[username] = user

    return {"mission": mission, "locations": locations, "stations": stations, "parties": parties,
            "users": users, "admin1_pcodes": admin1_pcodes}


# ---- incidents


def _victim_profile(rng, kind):
    """sex, age_years, age_group (plain codes) for one victim of the given headline group."""
    if kind == "UNKNOWN":
        sex = rng.choice(["UNKNOWN", "UNKNOWN", "OTHER", "FEMALE"])
        if sex == "FEMALE":
            return sex, None, "UNKNOWN"
        age = rng.randint(5, 60)
        return (sex, age, age_group_for(age)) if rng.random() < 0.5 else (sex, None, "UNKNOWN")
    sex = "FEMALE" if kind in ("WOMEN", "GIRLS") else "MALE"
    if kind in ("WOMEN", "MEN"):
        age = min(80, 18 + int(rng.expovariate(1 / 12)))
    elif kind == "GIRLS":
        age = rng.choice([rng.randint(12, 17)] * 3 + [rng.randint(5, 11), rng.randint(2, 4)])
    else:
        age = rng.randint(5, 17)
    if rng.random() < 0.75:
        return sex, age, age_group_for(age)
    return sex, None, age_group_for(age)


# Incidents and their children are written as plain tuples (COPY on PostgreSQL, incidents/bulk.py)
# rather than model instances and bulk_create, several times faster; so this does what save(),
# field defaults and get_prep_value would otherwise do.


def _words(code):
    return code.replace("_", " ").lower()


class Command(BaseCommand):
    help = "Seed a fictional demo mission with logins for every role and N synthetic incidents (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--incidents", type=int, default=400,
                            help="Total number of incidents the demo mission should hold (default 400).")
        parser.add_argument("--seed", type=int, default=42, help="Random seed for the synthetic data.")

    def handle(self, *args, incidents, seed, **options):
        if incidents < 0:
            raise CommandError("--incidents must be zero or more.")
        started = time.perf_counter()
        missing_forms = set(CrsvFormCode.values) - set(FormOfViolence.objects.values_list("code", flat=True))
        if missing_forms:
            raise CommandError("Forms of violence are missing: run `manage.py migrate` first.")

        created = Created()
        with transaction.atomic():
            ref = seed_reference_data(created)
            created.rows += ensure_default_indicators(ref["mission"])
        mission = ref["mission"]
        if options["verbosity"] > 1:
            self.stdout.write(f"Reference data ready in {time.perf_counter() - started:.1f} s.")

        existing = Incident.objects.filter(mission=mission).count()
        missing = max(0, incidents - existing)
        if missing:
            self._seed_incidents(ref, missing, random.Random(seed))  # nosec B311  # synthetic demo data, not a secret
            send_changed(mission.pk, all_months=True)
        self.stdout.write(
            f"Demo mission {mission.code}: {existing + missing} incidents ({missing} created now), "
            f"{created.rows} reference rows created, in {time.perf_counter() - started:.1f} s."
        )
        if missing or created.rows:
            audit.record("demo.seeded", detail={"incidents": missing, "reference_rows": created.rows})
        self._print_logins(ref["users"])

    def _print_logins(self, users):
        rows = [("username", "password", "role", "duty stations")]
        for username, role, _stations in USERS:
            user = users[username]
            stations = ", ".join(sorted(user.duty_stations.values_list("code", flat=True))) or "-"
            rows.append((username, demo_password(username), role.value, stations))
        widths = [max(len(r[i]) for r in rows) for i in range(4)]
        self.stdout.write("")
        self.stdout.write("Demo logins (fictional data only; the password is set when an account is created):")
        for n, row in enumerate(rows):
            self.stdout.write("  " + "  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())
            if n == 0:
                self.stdout.write("  " + "  ".join("-" * w for w in widths))

    def _seed_incidents(self, ref, total, rng):
        mission, locations, users = ref["mission"], ref["locations"], ref["users"]
        stations, parties = ref["stations"], ref["parties"]
        today = timezone.localdate()
        now = timezone.now()

        # Reported dates first, sorted, so references rise with the date reported.
        reported = sorted(today - timedelta(days=rng.randint(0, 729)) for _ in range(total))
        per_year = {}
        for day in reported:
            per_year[day.year] = per_year.get(day.year, 0) + 1
        next_seq = reserve_references(mission, per_year)

        # Places: localities mostly, sometimes only the territory is known.
        by_admin1 = []
        for pcode in ref["admin1_pcodes"]:
            admin2s = [loc for loc in locations.values() if loc.level == LocationLevel.ADMIN2
                       and loc.parent_id == locations[pcode].pk]
            localities = {a2.pk: [loc for loc in locations.values() if loc.parent_id == a2.pk] for a2 in admin2s}
            by_admin1.append((locations[pcode], admin2s, localities))
        admin1_cum = []
        for weight in ADMIN1_WEIGHTS:
            admin1_cum.append((admin1_cum[-1] if admin1_cum else 0) + weight)
        admin1_indexes = list(range(len(by_admin1)))

        through = Incident.forms.through
        tables = {
            "incidents": Table(Incident, INCIDENT_FIELDS), "victims": Table(Victim, VICTIM_FIELDS),
            "consents": Table(Consent, CONSENT_FIELDS), "perpetrators": Table(Perpetrator, PERPETRATOR_FIELDS),
            "forms": Table(through, THROUGH_FIELDS),
        }
        # What get_prep_value and the backend adapters would do to these values in bulk_create.
        encrypt = Incident._meta.get_field("narrative").get_prep_value
        adapt_date = connection.ops.adapt_datefield_value
        adapt_datetime = connection.ops.adapt_datetimefield_value

        victim_number = Victim.objects.count()
        used_codes = set(Victim.objects.values_list("code", flat=True))
        need_male = not Victim.objects.filter(incident__mission=mission, sex=Sex.MALE).exists()
        consent_kinds = list(ConsentKind.values)

        def new_code():
            while True:
                code = new_victim_code()
                if code not in used_codes:
                    used_codes.add(code)
                    return code

        def build(first, size):
            """Rows of all five tables for incidents first .. first + size - 1."""
            nonlocal victim_number, need_male
            incident_ids = tables["incidents"].allocate_ids(size)
            rows = {name: [] for name in tables}
            plans = []
            for i, incident_id in zip(range(first, first + size), incident_ids, strict=True):
                reported_date = reported[i]
                year = reported_date.year
                seq = next_seq[year]
                next_seq[year] = seq + 1
                a1_index = rng.choices(admin1_indexes, cum_weights=admin1_cum)[0]
                admin1, admin2s, localities = by_admin1[a1_index]
                admin2 = rng.choice(admin2s)
                place = rng.choice(localities[admin2.pk]) if rng.random() < 0.9 else admin2
                station_code = STATION_FOR_ADMIN1[a1_index]
                recorder = users[rng.choice(RECORDERS[station_code])]

                precision = rng.choices(DATE_PRECISIONS, cum_weights=[85, 95, 100])[0]
                incident_date = reported_date - timedelta(days=rng.randint(0, 60))
                end = None
                if precision == DatePrecision.MONTH:
                    incident_date = (reported_date - timedelta(days=rng.randint(0, 29))).replace(day=1)
                elif precision == DatePrecision.RANGE:
                    end = incident_date + timedelta(days=rng.randint(1, (reported_date - incident_date).days or 1))
                    end = min(end, reported_date)
                    if end <= incident_date:
                        precision, end = DatePrecision.DAY.value, None

                form_codes = {FORMS(rng)}
                if rng.random() < 0.3:
                    form_codes.add(FORMS(rng))
                for code in form_codes:
                    rows["forms"].append((incident_id, code))
                first_type = None
                for _p in range(1 if rng.random() < 0.9 else 2):
                    party_type = PERP_TYPES(rng)
                    first_type = first_type or party_type
                    candidates = parties.get(party_type)
                    party = rng.choice(candidates) if candidates and rng.random() < 0.8 else None
                    number = None if rng.random() < 0.3 else rng.choice([1, 1, 2, 2, 3, 4, 5, 6, 8, 12])
                    rows["perpetrators"].append(
                        (incident_id, party.pk if party else None, party_type, number, PERP_SEX(rng)))
                victim_count = rng.choices([1, 2, 3], cum_weights=[60, 85, 100])[0]
                kinds = [VICTIM_KINDS(rng) for _v in range(victim_count)]
                if need_male:
                    kinds[0], need_male = "MEN", False

                source = SOURCES(rng)
                isp = source == SourceType.HUMANITARIAN_PARTNER and rng.random() < 0.7
                status = STATUS_RECENT(rng) if (today - reported_date).days < 45 else STATUS_OLDER(rng)
                nexus = (ConflictNexus.PERPETRATOR_ARMED_ACTOR.value if first_type in ARMED_TYPES
                         and rng.random() < 0.7 else rng.choice(NEXUSES))
                shareable = rng.random() < MARA_SHAREABLE_SHARE
                reference = f"{mission.code}-{year}-{seq:05d}"
                summary = (
                    f"Synthetic record: {' and '.join(_words(c) for c in sorted(form_codes))} reported in "
                    f"{admin2.name} territory, {admin1.name} province; {victim_count} victim(s); alleged "
                    f"perpetrator type: {_words(first_type)}. Fictional data for demonstration only."
                )
                coordinates = f"Synthetic coordinates for {reference} (not a real place)" \
                    if rng.random() < 0.1 else ""
                narrative = (f"Synthetic narrative #{i + 1} ({reference}) for demonstration only. "
                             "No real person, place or event is described.")
                # Recorded on the day it was reported (auto_now_add would say "today").
                created_at = adapt_datetime(min(now, datetime.combine(
                    reported_date, dt_time(rng.randint(7, 17), rng.randint(0, 59)), tzinfo=UTC)))
                rows["incidents"].append((
                    incident_id, mission.pk, stations[station_code].pk, reference, 1, recorder.pk,
                    created_at, created_at, adapt_date(incident_date), precision, adapt_date(end),
                    adapt_date(reported_date), place.pk, place.admin1_id, place.admin2_id, encrypt(coordinates),
                    SITES(rng), nexus, source, SOURCE_SEX(rng), RELIABILITY(rng), CREDIBILITY(rng), isp,
                    encrypt(narrative), summary, status, shareable, len(kinds), None, None, "", None, None, None,
                    recorder.pk,
                ))
                plans.append((incident_id, kinds, shareable, recorder.pk, adapt_date(reported_date), isp,
                               len(rows["incidents"]) - 1))

            victim_ids = iter(tables["victims"].allocate_ids(sum(len(plan[1]) for plan in plans)))
            shareable_column = INCIDENT_FIELDS.index("mara_shareable")
            for incident_id, kinds, shareable, recorder_id, reported_value, isp, row_index in plans:
                # Not shareable: at least one victim did not consent to sharing with the MARA.
                refuser = -1 if shareable else rng.randrange(len(kinds))
                consents_per_victim = []
                for j, kind in enumerate(kinds):
                    victim_id = next(victim_ids)
                    sex, age_years, age_group = _victim_profile(rng, kind)
                    victim_number += 1
                    name = f"Demo Person {victim_number}" if rng.random() < 0.8 else ""
                    contact = f"Synthetic contact {victim_number} (not real)" if rng.random() < 0.3 else ""
                    seen_by = "Synthetic partner organisation (demo)" if rng.random() < 0.2 else ""
                    rows["victims"].append((
                        victim_id, incident_id, new_code(), sex, age_years, age_group,
                        victim_group_of(sex, age_group).value, rng.choice(DISPLACEMENTS),
                        rng.choices(DISABILITIES, cum_weights=[80, 90, 100])[0],
                        encrypt(name), encrypt(contact), encrypt(seen_by),
                    ))
                    given = {
                        ConsentKind.RECORD: True,
                        ConsentKind.SHARE_MARA: shareable or (j != refuser and rng.random() < 0.5),
                        ConsentKind.REFER: rng.random() < 0.75,
                        ConsentKind.FOLLOW_UP: rng.random() < 0.7,
                        ConsentKind.PUBLIC_REPORTING: rng.random() < 0.4,
                        # Every eleventh victim, without a draw, so the rest of the data stays as seeded
                        # before; the disclosure pages then have consenting survivors to show.
                        ConsentKind.SHARE_JUSTICE: victim_number % 11 == 0,
                    }
                    if age_group in CHILD_GROUPS:
                        # A child's consent follows the best interest of the child.
                        given_by = (ConsentGivenBy.CAREGIVER.value if rng.random() < 0.8
                                    else ConsentGivenBy.BEST_INTEREST.value)
                        decided_by = encrypt("Synthetic caregiver or case worker (demo data)")
                    else:
                        given_by, decided_by = ConsentGivenBy.SURVIVOR.value, ""
                    # A few public-reporting consents were later withdrawn (never the MARA one).
                    withdrawn = reported_value if given[ConsentKind.PUBLIC_REPORTING] and \
                        rng.random() < 0.05 else None
                    for kind_code in consent_kinds:
                        rows["consents"].append((
                            victim_id, kind_code, given[kind_code], given_by, decided_by, reported_value,
                            recorder_id, withdrawn if kind_code == ConsentKind.PUBLIC_REPORTING else None,
                        ))
                    consents_per_victim.append({kind_code for kind_code in consent_kinds if given[kind_code]
                                                and not (withdrawn and kind_code == ConsentKind.PUBLIC_REPORTING)})
                # The incident row says what the consents drawn say, by the rule every writer applies.
                row = rows["incidents"][row_index]
                decided = shareable_with_mara(shared_under_isp=isp, consents_per_victim=consents_per_victim)
                rows["incidents"][row_index] = (*row[:shareable_column], decided, *row[shareable_column + 1:])
            return rows

        def write(rows):
            with transaction.atomic():
                for name in ("incidents", "victims", "consents", "perpetrators", "forms"):
                    tables[name].insert(rows[name])

        verbose = total > BATCH_SIZE
        started = time.perf_counter()
        done = 0
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            # Overlap: build the next batch while a second connection writes this one (the
            # database works on the other core). Ids come from the sequences, so batches
            # are independent. Not inside an outer transaction: the writer could not see it.
            with ThreadPoolExecutor(max_workers=1) as writer:
                pending = None
                while done < total:
                    size = min(BATCH_SIZE, total - done)
                    rows = build(done, size)
                    if pending is not None:
                        pending.result()
                        self._progress(verbose, done, total, started)
                    pending = writer.submit(_in_own_connection, write, rows)
                    done += size
                pending.result()
        else:
            while done < total:
                size = min(BATCH_SIZE, total - done)
                with transaction.atomic():  # SQLite: ids follow the largest one, under the write lock
                    write(build(done, size))
                done += size
                if done < total:
                    self._progress(verbose, done, total, started)
        self._progress(verbose, total, total, started)

        if connection.vendor == "postgresql":
            self._refresh_statistics([Incident, through, Victim, Consent, Perpetrator])
            if verbose:
                self.stdout.write(f"  statistics refreshed ({time.perf_counter() - started:.1f} s)")

    def _progress(self, verbose, done, total, started):
        if verbose:
            self.stdout.write(f"  {done}/{total} incidents ({time.perf_counter() - started:.1f} s)")

    def _refresh_statistics(self, models):
        """Right after a bulk load PostgreSQL's statistics say the tables are nearly empty, and
        scoped list queries then pick plans that sort every row; and until a VACUUM sets the
        visibility map, the paginator's COUNT(*) reads the whole incident table. Autovacuum
        would fix both in a while; the demo and the benchmark should not have to wait for it.
        """
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            # VACUUM cannot run inside a transaction (a test calling this command, for instance).
            if not connection.in_atomic_block:
                cursor.execute(f"VACUUM (ANALYZE) {quote(Incident._meta.db_table)}")
            cursor.execute("ANALYZE " + ", ".join(quote(m._meta.db_table) for m in models))


def _in_own_connection(function, *args):
    """Run in a worker thread, which gets its own database connection; close it afterwards."""
    try:
        return function(*args)
    finally:
        connection.close()
