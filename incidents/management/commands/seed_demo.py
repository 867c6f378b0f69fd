"""Seed a fictional demo mission: gazetteer, duty stations, parties, one login per role, incidents.

Everything here is synthetic: the country, places, parties and people do not exist,
and every narrative and name says so. Safe to run twice: reference data is keyed on
codes, and only the missing number of incidents is created.

Incidents are written with bulk_create in batches (100,000 in well under two minutes
on PostgreSQL) rather than through services.create_incident, so this command does
by hand what create_incident and the model save() methods would otherwise do:
references from ReferenceCounter, admin1/admin2 copies, victim codes and groups,
one consent per use, and mara_shareable kept consistent with the consents.
"""

import random
import time
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models.functions import Length
from django.utils import timezone

from crsv_mis import audit
from crsv_mis.encryption import encrypt
from crsv_mis.models import DutyStation, Location, LocationLevel, Mission, Role, User
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
    ReferenceCounter,
    Victim,
    new_victim_code,
    victim_group_of,
)

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


# ---- distributions (shape from DOMAIN.md "Reference figures")

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
    rng = random.Random("veloria-gazetteer")
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

    users = {}
    for username, role, station_codes in USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, role=role, mission=mission, is_staff=role == Role.ADMIN,
                        first_name="Demo", last_name=str(role.label))
            # The password is set only when the account is created: a rerun never resets it.
            user.set_password(demo_password(username))
            user.save()
            created.count(True)
        if station_codes:
            user.duty_stations.add(*(stations[c] for c in station_codes))
        users[username] = user

    return {"mission": mission, "locations": locations, "stations": stations, "parties": parties,
            "users": users, "admin1_pcodes": admin1_pcodes}


# ---- incidents


def _reserve_references(mission, years):
    """Take a block of sequence numbers per year from ReferenceCounter; return the first free one per year.

    The counter is moved past the block before any incident is written, so create_incident
    running meanwhile (or later) continues after it and never collides.
    """
    first = {}
    with transaction.atomic():
        for year, count in sorted(years.items()):
            ReferenceCounter.objects.get_or_create(mission=mission, year=year)
            counter = ReferenceCounter.objects.select_for_update().get(mission=mission, year=year)
            prefix = f"{mission.code}-{year}-"
            # Belt and braces: never reuse a number already present, even if the counter lags behind.
            newest = (Incident.objects.filter(reference__startswith=prefix)
                      .order_by(Length("reference").desc(), "-reference")
                      .values_list("reference", flat=True).first())
            used = int(newest[len(prefix):]) if newest and newest[len(prefix):].isdigit() else 0
            start = max(counter.last, used)
            counter.last = start + count
            counter.save(update_fields=["last"])
            first[year] = start + 1
    return first


def _victim_profile(rng, kind):
    """sex, age_years, age_group for one victim of the given headline group."""
    if kind == "UNKNOWN":
        sex = rng.choice([Sex.UNKNOWN, Sex.UNKNOWN, Sex.OTHER, Sex.FEMALE])
        if sex == Sex.FEMALE:
            return sex, None, "UNKNOWN"
        age = rng.randint(5, 60)
        return (sex, age, age_group_for(age)) if rng.random() < 0.5 else (sex, None, "UNKNOWN")
    sex = Sex.FEMALE if kind in ("WOMEN", "GIRLS") else Sex.MALE
    if kind in ("WOMEN", "MEN"):
        age = min(80, 18 + int(rng.expovariate(1 / 12)))
    elif kind == "GIRLS":
        age = rng.choice([rng.randint(12, 17)] * 3 + [rng.randint(5, 11), rng.randint(2, 4)])
    else:
        age = rng.randint(5, 17)
    if rng.random() < 0.75:
        return sex, age, age_group_for(age)
    return sex, None, age_group_for(age)


# Consents, perpetrators and forms are most of the rows and have simple columns: they are
# written as plain tuples (COPY on PostgreSQL) instead of model instances, which is several
# times faster than bulk_create. The field lists must name every column (checked below).
CONSENT_FIELDS = ("victim", "kind", "given", "given_by", "decided_by", "date", "taken_by", "withdrawn_at")
PERPETRATOR_FIELDS = ("incident", "party", "party_type", "number", "sex")
THROUGH_FIELDS = ("incident", "formofviolence")


def _columns(model, names):
    concrete = {f.name for f in model._meta.concrete_fields if not f.primary_key}
    if concrete != set(names):
        raise CommandError(
            f"seed_demo writes {model._meta.label} as raw rows and its columns changed "
            f"({sorted(concrete ^ set(names))}): update the field lists in seed_demo."
        )
    return [model._meta.get_field(name).column for name in names]


def insert_rows(model, names, rows):
    """Insert tuples (values ready for the database, in the order of `names`) into the model's table."""
    if not rows:
        return
    columns = _columns(model, names)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            from psycopg import sql as pg_sql

            statement = pg_sql.SQL("COPY {} ({}) FROM STDIN").format(
                pg_sql.Identifier(model._meta.db_table), pg_sql.SQL(", ").join(map(pg_sql.Identifier, columns)))
            with cursor.cursor.copy(statement) as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            quote = connection.ops.quote_name
            cursor.executemany(
                f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(map(quote, columns))}) "
                f"VALUES ({', '.join(['%s'] * len(columns))})",
                rows,
            )


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
        mission = ref["mission"]

        existing = Incident.objects.filter(mission=mission).count()
        missing = max(0, incidents - existing)
        if missing:
            self._seed_incidents(ref, missing, random.Random(seed))
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

        # Reported dates first, sorted, so references rise with the date reported.
        reported = sorted(today - timedelta(days=rng.randint(0, 729)) for _ in range(total))
        per_year = {}
        for day in reported:
            per_year[day.year] = per_year.get(day.year, 0) + 1
        next_seq = _reserve_references(mission, per_year)

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

        victim_number = Victim.objects.count()
        used_codes = set(Victim.objects.values_list("code", flat=True))
        need_male = not Victim.objects.filter(incident__mission=mission, sex=Sex.MALE).exists()
        through = Incident.forms.through
        consent_kinds = list(ConsentKind.values)
        verbose = total > BATCH_SIZE
        started = time.perf_counter()
        done = 0

        def new_code():
            while True:
                code = new_victim_code()
                if code not in used_codes:
                    used_codes.add(code)
                    return code

        while done < total:
            size = min(BATCH_SIZE, total - done)
            plans = []
            incidents = []
            for i in range(done, done + size):
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

                precision = rng.choices([DatePrecision.DAY, DatePrecision.MONTH, DatePrecision.RANGE],
                                        cum_weights=[85, 95, 100])[0]
                incident_date = reported_date - timedelta(days=rng.randint(0, 60))
                end = None
                if precision == DatePrecision.MONTH:
                    incident_date = (reported_date - timedelta(days=rng.randint(0, 29))).replace(day=1)
                elif precision == DatePrecision.RANGE:
                    end = incident_date + timedelta(days=rng.randint(1, (reported_date - incident_date).days or 1))
                    end = min(end, reported_date)
                    if end <= incident_date:
                        precision, end = DatePrecision.DAY, None

                form_codes = {FORMS(rng)}
                if rng.random() < 0.3:
                    form_codes.add(FORMS(rng))
                perpetrators = []
                for _p in range(1 if rng.random() < 0.9 else 2):
                    party_type = PERP_TYPES(rng)
                    candidates = parties.get(party_type)
                    party = rng.choice(candidates) if candidates and rng.random() < 0.8 else None
                    number = None if rng.random() < 0.3 else rng.choice([1, 1, 2, 2, 3, 4, 5, 6, 8, 12])
                    perpetrators.append((party, party_type, number, PERP_SEX(rng)))
                victim_count = rng.choices([1, 2, 3], cum_weights=[60, 85, 100])[0]
                kinds = [VICTIM_KINDS(rng) for _v in range(victim_count)]
                if need_male:
                    kinds[0], need_male = "MEN", False

                source = SOURCES(rng)
                isp = source == SourceType.HUMANITARIAN_PARTNER and rng.random() < 0.7
                days_old = (today - reported_date).days
                status = STATUS_RECENT(rng) if days_old < 45 else STATUS_OLDER(rng)
                nexus = (ConflictNexus.PERPETRATOR_ARMED_ACTOR if perpetrators[0][1] in ARMED_TYPES
                         and rng.random() < 0.7 else rng.choice(ConflictNexus.values))
                shareable = rng.random() < MARA_SHAREABLE_SHARE
                reference = f"{mission.code}-{year}-{seq:05d}"
                summary = (
                    f"Synthetic record: {' and '.join(_words(c) for c in sorted(form_codes))} reported in "
                    f"{admin2.name} territory, {admin1.name} province; {victim_count} victim(s); alleged "
                    f"perpetrator type: {_words(perpetrators[0][1])}. Fictional data for demonstration only."
                )
                incidents.append(Incident(
                    mission_id=mission.pk, duty_station_id=stations[station_code].pk, reference=reference,
                    created_by_id=recorder.pk, incident_date=incident_date, incident_date_precision=precision,
                    incident_date_end=end, reported_date=reported_date, location_id=place.pk,
                    admin1_id=place.admin1_id, admin2_id=place.admin2_id,
                    coordinates=f"Synthetic coordinates for {reference} (not a real place)"
                    if rng.random() < 0.1 else "",
                    site_type=SITES(rng), conflict_nexus=nexus, source_type=source,
                    source_sex=SOURCE_SEX(rng), source_reliability=RELIABILITY(rng),
                    source_credibility=CREDIBILITY(rng), shared_under_isp=isp,
                    narrative=f"Synthetic narrative #{i + 1} ({reference}) for demonstration only. "
                              "No real person, place or event is described.",
                    summary=summary, status=status, mara_shareable=shareable,
                ))
                plans.append((form_codes, kinds, perpetrators, shareable, recorder))

            with transaction.atomic():
                Incident.objects.bulk_create(incidents, batch_size=BATCH_SIZE)
                form_rows, victims, victim_plans, perpetrator_rows = [], [], [], []
                for incident, (form_codes, kinds, perpetrators, shareable, recorder) in zip(
                        incidents, plans, strict=True):
                    for code in form_codes:
                        form_rows.append((incident.pk, code))
                    for party, party_type, number, sex in perpetrators:
                        perpetrator_rows.append(
                            (incident.pk, party.pk if party else None, party_type, number, sex))
                    # Not shareable: at least one victim did not consent to sharing with the MARA.
                    refuser = -1 if shareable else rng.randrange(len(kinds))
                    for j, kind in enumerate(kinds):
                        sex, age_years, age_group = _victim_profile(rng, kind)
                        victim_number += 1
                        victims.append(Victim(
                            incident_id=incident.pk, code=new_code(), sex=sex, age_years=age_years,
                            age_group=age_group, victim_group=victim_group_of(sex, age_group),
                            displacement=rng.choice(Displacement.values), disability=rng.choices(
                                Disability.values, cum_weights=[80, 90, 100])[0],
                            name=f"Demo Person {victim_number}" if rng.random() < 0.8 else "",
                            contact=f"Synthetic contact {victim_number} (not real)" if rng.random() < 0.3 else "",
                            previously_interviewed_by="Synthetic partner organisation (demo)"
                            if rng.random() < 0.2 else "",
                        ))
                        share = shareable or (j != refuser and rng.random() < 0.5)
                        victim_plans.append((incident, recorder, share, age_group in CHILD_GROUPS))
                Victim.objects.bulk_create(victims, batch_size=BATCH_SIZE * 2)

                consents = []
                for victim, (incident, recorder, share, child) in zip(victims, victim_plans, strict=True):
                    given = {
                        ConsentKind.RECORD: True,
                        ConsentKind.SHARE_MARA: share,
                        ConsentKind.REFER: rng.random() < 0.75,
                        ConsentKind.FOLLOW_UP: rng.random() < 0.7,
                        ConsentKind.PUBLIC_REPORTING: rng.random() < 0.4,
                    }
                    if child:
                        given_by = (ConsentGivenBy.CAREGIVER.value if rng.random() < 0.8
                                    else ConsentGivenBy.BEST_INTEREST.value)
                        decided_by = "Synthetic caregiver or case worker (demo data)"
                    else:
                        given_by, decided_by = ConsentGivenBy.SURVIVOR.value, ""
                    decided_by = encrypt(decided_by) if decided_by else ""  # as EncryptedTextField does
                    # A few public-reporting consents were later withdrawn (never the MARA one).
                    withdrawn = incident.reported_date if given[ConsentKind.PUBLIC_REPORTING] and \
                        rng.random() < 0.05 else None
                    for kind in consent_kinds:
                        consents.append((
                            victim.pk, kind, given[kind], given_by, decided_by, incident.reported_date,
                            recorder.pk, withdrawn if kind == ConsentKind.PUBLIC_REPORTING else None,
                        ))
                insert_rows(through, THROUGH_FIELDS, form_rows)
                insert_rows(Perpetrator, PERPETRATOR_FIELDS, perpetrator_rows)
                insert_rows(Consent, CONSENT_FIELDS, consents)
            done += size
            if verbose:
                self.stdout.write(f"  {done}/{total} incidents ({time.perf_counter() - started:.1f} s)")
