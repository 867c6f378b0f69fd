"""Rows of cells -> incidents ready to write, or the reasons, per row and column, why not.

The same rules as the intake page (incidents/validators.py: dates not in the future nor after the
date reported, a child's consent from a caregiver or a best-interest decision, no victim's name or
locality in the summary), plus what only a file can get wrong: an unknown place, party or code, a
formula, a cell that contradicts the first row of its incident.

An incident is written only if every one of its rows is right; a bad victim row holds back the
other rows of its incident (each is told why).

Possible duplicates, flagged and held back unless the person confirms them: an incident with the
same incident date (and end), location, set of forms and victims (sex and age group of each) as an
incident of the mission already recorded, or as an earlier incident of the same file.
"""

import datetime
import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from crsv_mis.models import DutyStation, Location, LocationLevel

from .. import validators
from ..choices import AgeGroup, ConsentGivenBy, DatePrecision, Disability, Displacement, age_group_for
from ..models import Incident, Party, PartyAlias, Victim
from .columns import BY_KEY, COLUMNS, FALSE_WORDS, INCIDENT, TRUE_WORDS, VICTIM, VOCABULARY, normal
from .reading import FORMULA

INCIDENT_KEYS = [c.key for c in COLUMNS if c.level == INCIDENT and c.key != "incident_key"]
VICTIM_KEYS = [c.key for c in COLUMNS if c.level == VICTIM]
MAX_QUOTED = 40
DATE_FORMATS = (
    ("%Y-%m-%d", DatePrecision.DAY), ("%d/%m/%Y", DatePrecision.DAY), ("%d-%m-%Y", DatePrecision.DAY),
    ("%d.%m.%Y", DatePrecision.DAY), ("%d/%m/%y", DatePrecision.DAY), ("%Y/%m/%d", DatePrecision.DAY),
    ("%Y-%m", DatePrecision.MONTH), ("%m/%Y", DatePrecision.MONTH), ("%m-%Y", DatePrecision.MONTH),
    ("%Y", DatePrecision.YEAR),
)
DAY_FIRST = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
# Excel day numbers from 1954 to 2119: a plain number in a date column is read as one.
EXCEL_DAYS = (20_000, 80_000)
VALIDATOR_COLUMNS = {
    "incident_date": "incident_date", "reported_date": "reported_date", "incident_date_end": "incident_date_end",
    "age_group": "victim_age_group", "age_years": "victim_age", "consent_date": "consent_date",
    "consent_given_by": "consent_given_by", "consent_decided_by": "consent_decided_by", "summary": "summary",
}


class CellError(ValueError):
    pass


@dataclass
class Problem:
    row: int
    column: str  # a column key, or "" for the whole row
    reason: str

    def as_dict(self):
        column = BY_KEY[self.column].label_en if self.column in BY_KEY else ""
        return {"row": self.row, "column": column, "key": self.column, "reason": self.reason}


@dataclass
class Planned:
    """One incident to write: its fields, forms, perpetrator and victims, and the rows it came from."""

    key: str
    rows: list
    fields: dict
    form_codes: list
    perpetrator: dict
    victims: list
    duplicate_of: str = ""

    @property
    def first_row(self):
        return self.rows[0]


@dataclass
class Result:
    rows_total: int = 0
    skipped: list = field(default_factory=list)
    problems: list = field(default_factory=list)
    incidents: list = field(default_factory=list)  # valid, not duplicates
    duplicates: list = field(default_factory=list)  # valid, but flagged as possible duplicates
    rejected: dict = field(default_factory=dict)  # row number -> [reasons] (errors, and held-back rows)

    @property
    def rows_invalid(self):
        return len(self.rejected)

    @property
    def rows_valid(self):
        return sum(len(p.rows) for p in self.incidents)

    @property
    def rows_duplicate(self):
        return sum(len(p.rows) for p in self.duplicates)


def quoted(value):
    text = str(value)
    return text if len(text) <= MAX_QUOTED else text[:MAX_QUOTED] + "…"


# ---- the gazetteer, offices and parties of the mission, loaded once


class Lookups:
    def __init__(self, mission):
        self.mission = mission
        self.today = timezone.localdate()
        places = list(Location.objects.of_mission(mission)
                      .filter(level__in=[LocationLevel.ADMIN2, LocationLevel.LOCALITY])
                      .select_related("admin1", "admin2"))
        self.by_pcode = {normal(p.pcode): p for p in places}
        self.by_name = defaultdict(list)
        for place in places:
            self.by_name[normal(place.name)].append(place)
            self.by_name[normal(place.path)].append(place)
            if place.level == LocationLevel.LOCALITY and place.admin2:
                self.by_name[normal(f"{place.admin2.name} / {place.name}")].append(place)
        self.stations = list(DutyStation.objects.filter(mission=mission).select_related("location"))
        self.station_by_word = {}
        for station in self.stations:
            self.station_by_word.setdefault(normal(station.code), station)
            self.station_by_word.setdefault(normal(station.name), station)
        self.party_by_word = {}
        for party in Party.objects.filter(mission=mission, active=True):
            self.party_by_word.setdefault(normal(party.name), party)
        for alias in PartyAlias.objects.filter(party__mission=mission, party__active=True).select_related("party"):
            self.party_by_word.setdefault(normal(alias.name), alias.party)

    def location(self, value):
        word = normal(value)
        if word in self.by_pcode:
            return self.by_pcode[word]
        found = {p.pk: p for p in self.by_name.get(word, [])}
        if len(found) == 1:
            return next(iter(found.values()))
        if found:
            raise CellError(_("Several places are called \"%(value)s\": write its place code (pcode) or "
                              "'Territory / Locality'.") % {"value": quoted(value)})
        raise CellError(_("No territory or locality called \"%(value)s\" in the gazetteer. Check the spelling, "
                          "or write its place code (pcode).") % {"value": quoted(value)})

    def station_for(self, location):
        """The office covering the province of the place, when exactly one does."""
        covering = [s for s in self.stations if s.location_id and s.location and (
            s.location_id in (location.admin1_id, location.admin2_id, location.pk))]
        return covering[0] if len(covering) == 1 else None


# ---- cells


def _text(value):
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time(0) else value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


def parse_date(value):
    """(date, precision the cell implies). Slashed dates are always read day first."""
    if isinstance(value, datetime.datetime):
        return value.date(), DatePrecision.DAY
    if isinstance(value, datetime.date):
        return value, DatePrecision.DAY
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1900 <= value <= 2200 and float(value).is_integer():
            return datetime.date(int(value), 1, 1), DatePrecision.YEAR
        if EXCEL_DAYS[0] <= value <= EXCEL_DAYS[1]:
            return datetime.date(1899, 12, 30) + datetime.timedelta(days=int(value)), DatePrecision.DAY
        raise CellError(_("\"%(value)s\" is not a date. Write it day first, e.g. 25/03/2026.")
                        % {"value": quoted(value)})
    text = re.sub(r"\s+", "", _text(value))
    text = re.sub(r"T?00:00(:00)?$", "", text)
    quick = DAY_FIRST.match(text)
    if quick:  # the common case, without strptime's cost
        d, m, y = (int(g) for g in quick.groups())
        try:
            return datetime.date(y, m, d), DatePrecision.DAY
        except ValueError:
            pass
    for fmt, precision in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, fmt).date(), precision  # noqa: DTZ007 - a date only
        except ValueError:
            continue
    raise CellError(_("\"%(value)s\" is not a date. Write it day first, e.g. 25/03/2026, or as 2026-03-25.")
                    % {"value": quoted(value)})


def parse_choice(column, value):
    text = value if isinstance(value, str) else _text(value)
    code = VOCABULARY[column.choices].get(normal(text))
    if code is None:
        raise CellError(_("\"%(value)s\" is not in the list for this column. Use one of the codes on the "
                          "Codes sheet (English or French label also work).") % {"value": quoted(text)})
    return code


def parse_multi(column, value):
    text = _text(value)
    words = VOCABULARY[column.choices]
    whole = words.get(normal(text))
    if whole:
        return [whole]
    codes = []
    for part in re.split(r"[;|\n]+", text):
        if not part.strip():
            continue
        code = words.get(normal(part))
        if code is None:
            pieces = [words.get(normal(p)) for p in part.split(",") if p.strip()]
            if pieces and all(pieces):
                codes.extend(pieces)
                continue
            raise CellError(_("\"%(value)s\" is not in the list for this column. Use codes from the Codes sheet, "
                              "separated by ';'.") % {"value": quoted(part.strip())})
        codes.append(code)
    return list(dict.fromkeys(codes))


def parse_int(value, low, high):
    if isinstance(value, bool):
        raise CellError(_("Write a whole number."))
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str):
        text = value.strip()
        if not re.fullmatch(r"\d+", text):
            raise CellError(_("\"%(value)s\" is not a whole number.") % {"value": quoted(text)})
        value = int(text)
    if not isinstance(value, int):
        raise CellError(_("\"%(value)s\" is not a whole number.") % {"value": quoted(value)})
    if not low <= value <= high:
        raise CellError(_("Write a number from %(low)s to %(high)s.") % {"low": low, "high": high})
    return value


def parse_bool(value):
    if isinstance(value, bool):
        return value
    word = normal(_text(value))
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise CellError(_("Write Yes or No."))


INT_RANGES = {"perpetrator_number": (1, 999), "victim_age": (0, 120)}


def parse_cell(column, value, lookups):
    if column.kind == "text":
        text = _text(value)
        if column.key == "summary" and len(text) > 1000:
            raise CellError(_("The summary is %(n)s characters long: at most 1000.") % {"n": len(text)})
        return text
    if column.kind == "date":
        return parse_date(value)
    if column.kind == "choice":
        return parse_choice(column, value)
    if column.kind == "multi":
        return parse_multi(column, value)
    if column.kind == "int":
        return parse_int(value, *INT_RANGES[column.key])
    if column.kind == "bool":
        return parse_bool(value)
    if column.kind == "location":
        return lookups.location(_text(value))
    if column.kind == "station":
        station = lookups.station_by_word.get(normal(_text(value)))
        if station is None:
            raise CellError(_("No duty station \"%(value)s\" in this mission. Use its code or its name.")
                            % {"value": quoted(_text(value))})
        return station
    if column.kind == "party":
        party = lookups.party_by_word.get(normal(_text(value)))
        if party is None:
            raise CellError(_("No party or alias \"%(value)s\" in this mission. Check the spelling, ask the "
                              "administrator to add the alias, or leave it empty and give the party type.")
                            % {"value": quoted(_text(value))})
        return party
    raise AssertionError(column.kind)


def missing_reason(column):
    if column.key == "victim_sex":
        return _("The victim's sex is missing. It is required: write UNKNOWN if it is not known.")
    if column.key == "forms":
        return _("Give at least one form of sexual violence.")
    return _("This column is required and is empty.")


def parse_row(number, values, keys, lookups, problems):
    """{key: parsed value} for the given columns of one row; a problem per bad cell."""
    parsed = {}
    for key in keys:
        column = BY_KEY[key]
        value = values.get(key)
        if value is FORMULA:
            problems.append(Problem(number, key, _(
                "This cell holds a formula. Formulas are never run here: type the value itself "
                "(or start the text with an apostrophe).")))
            parsed[key] = FORMULA
            continue
        if value is None or (isinstance(value, str) and not value.strip()):
            if column.required:
                problems.append(Problem(number, key, missing_reason(column)))
                parsed[key] = FORMULA  # counts as bad, so no second reason is added
            continue
        try:
            parsed[key] = parse_cell(column, value, lookups)
        except CellError as error:
            problems.append(Problem(number, key, str(error)))
            parsed[key] = FORMULA
    return parsed


# ---- rows -> incidents


def _ok(parsed, key):
    return parsed.get(key) is not FORMULA


def _incident_from(number, parsed, lookups, problems):
    """The incident's fields, forms and perpetrator from the first row of an incident."""
    def add(key, reason):
        problems.append(Problem(number, key, reason))

    if not all(_ok(parsed, k) for k in INCIDENT_KEYS):
        return None
    start, implied = parsed["incident_date"]
    end = parsed["incident_date_end"][0] if "incident_date_end" in parsed else None
    precision = parsed.get("date_precision") or (DatePrecision.RANGE if end else implied)
    reported = parsed["reported_date"][0]
    before = len(problems)
    for field_name, messages in validators.check_incident_dates(
            incident_date=start, precision=precision, end=end, reported_date=reported, today=lookups.today).items():
        for message in messages:
            add(VALIDATOR_COLUMNS[field_name], message)
    location = parsed["location"]
    station = parsed.get("duty_station") or lookups.station_for(location)
    if station is None:
        if not lookups.stations:
            add("duty_station", _("This mission has no duty station yet: ask the administrator to add one."))
        else:
            add("duty_station", _("Give the duty station: no single office covers this place."))
    party = parsed.get("perpetrator_party")
    party_type = parsed.get("perpetrator_type") or (party.party_type if party else "")
    if party_type == validators.SEA_PARTY_TYPE:
        add("perpetrator_type", _("UN personnel: this is sexual exploitation and abuse, handled by Conduct and "
                                  "Discipline. It is not recorded here; remove the row."))
    elif not party_type:
        add("perpetrator_type", _("Give a party or a party type (UNKNOWN is allowed)."))
    if len(problems) > before:
        return None
    fields = {
        "duty_station": station, "incident_date": start, "incident_date_precision": precision,
        "incident_date_end": end, "reported_date": reported, "location": location,
        "coordinates": parsed.get("coordinates", ""), "site_type": parsed["site_type"],
        "conflict_nexus": parsed["conflict_nexus"], "source_type": parsed["source_type"],
        "source_sex": parsed["source_sex"], "source_reliability": parsed["source_reliability"],
        "source_credibility": parsed["source_credibility"], "shared_under_isp": parsed.get("shared_under_isp", False),
        "narrative": parsed.get("narrative", ""), "summary": parsed["summary"],
    }
    perpetrator = {"party": party, "party_type": party_type, "number": parsed.get("perpetrator_number"),
                   "sex": parsed["perpetrator_sex"]}
    return fields, parsed["forms"], perpetrator


def _victim_from(number, parsed, problems):
    if not all(_ok(parsed, k) for k in VICTIM_KEYS):
        return None
    age = parsed.get("victim_age")
    group = parsed.get("victim_age_group") or AgeGroup.UNKNOWN
    kinds = parsed.get("consents") or []
    consent_date = parsed["consent_date"][0] if "consent_date" in parsed else None
    given_by = parsed.get("consent_given_by") or ConsentGivenBy.SURVIVOR
    decided_by = parsed.get("consent_decided_by", "")
    errors = validators.check_victim(age_years=age, age_group=group, consent_kinds=kinds,
                                     consent_given_by=given_by, consent_decided_by=decided_by,
                                     consent_date=consent_date)
    for field_name, messages in errors.items():
        for message in messages:
            problems.append(Problem(number, VALIDATOR_COLUMNS[field_name], message))
    if errors:
        return None
    return {
        "sex": parsed["victim_sex"], "age_years": age, "age_group": age_group_for(age) if age is not None else group,
        "displacement": parsed.get("victim_displacement") or Displacement.UNKNOWN,
        "disability": parsed.get("victim_disability") or Disability.UNKNOWN,
        "name": parsed.get("victim_name", ""), "contact": parsed.get("victim_contact", ""),
        "previously_interviewed_by": parsed.get("victim_interviewed_by", ""),
        "consent_kinds": kinds, "consent_date": consent_date or timezone.localdate(),
        "consent_given_by": given_by, "consent_decided_by": decided_by,
    }


def _same(a, b):
    if isinstance(a, tuple) and isinstance(b, tuple):  # dates: compare the day, not how it was written
        return a[0] == b[0]
    if isinstance(a, list) and isinstance(b, list):
        return set(a) == set(b)
    return a == b


def check(sheet, mission, *, progress=None):
    """Check every row of a read file. Writes nothing."""
    lookups = Lookups(mission)
    result = Result(rows_total=len(sheet.rows) + len(sheet.skipped), skipped=list(sheet.skipped))
    problems = result.problems
    groups = {}  # incident key -> [(row number, values)]
    order = []
    for number, values in sheet.rows:
        key = _text(values.get("incident_key", "")) if values.get("incident_key") not in (None, FORMULA) else ""
        group_key = key or f"\0row{number}"
        if group_key not in groups:
            groups[group_key] = []
            order.append(group_key)
        groups[group_key].append((number, values))

    planned = []
    for index, group_key in enumerate(order):
        if progress and index % 2000 == 0:
            progress(index, len(order))
        rows = groups[group_key]
        start = len(problems)
        first_number, first_values = rows[0]
        if first_values.get("_unknown_columns") and len(first_values) == 1:
            problems.append(Problem(first_number, "", _("This row has values only in columns the template does "
                                                        "not have.")))
        first = parse_row(first_number, first_values, INCIDENT_KEYS, lookups, problems)
        made = _incident_from(first_number, first, lookups, problems)
        victims = []
        for number, values in rows:
            if number != first_number:
                others = [k for k in INCIDENT_KEYS if values.get(k) is not None]
                again = parse_row(number, values, others, lookups, problems)
                for key in others:
                    if _ok(again, key) and _ok(first, key) and not _same(again[key], first.get(key)):
                        problems.append(Problem(number, key, _(
                            "Differs from row %(row)s, the first row of incident \"%(key)s\": leave it empty or "
                            "write the same.") % {"row": first_number, "key": quoted(group_key)}))
            victim = _victim_from(number, parse_row(number, values, VICTIM_KEYS, lookups, problems), problems)
            victims.append(victim)
        if made and all(victims):
            fields, form_codes, perpetrator = made
            names = [v["name"] for v in victims]
            locality = fields["location"].name if fields["location"].level == LocationLevel.LOCALITY else None
            for messages in validators.check_summary(fields["summary"], names=names,
                                                     locality_name=locality).values():
                for message in messages:
                    problems.append(Problem(first_number, "summary", message))
        if len(problems) > start:
            bad_rows = {p.row for p in problems[start:]}
            for p in problems[start:]:
                result.rejected.setdefault(p.row, []).append(p)
            for number, _values in rows:
                if number not in bad_rows:
                    result.rejected[number] = [Problem(number, "", _(
                        "Not imported: another row of the same incident has an error (row %(rows)s).")
                        % {"rows": ", ".join(str(r) for r in sorted(bad_rows))})]
            continue
        fields, form_codes, perpetrator = made
        planned.append(Planned(key="" if group_key.startswith("\0") else group_key, rows=[n for n, _v in rows],
                               fields=fields, form_codes=form_codes, perpetrator=perpetrator, victims=victims))
    flag_duplicates(planned, mission)
    result.incidents = [p for p in planned if not p.duplicate_of]
    result.duplicates = [p for p in planned if p.duplicate_of]
    if progress:
        progress(len(order), len(order))
    return result


# ---- duplicates


def profile(victims):
    return tuple(sorted((v["sex"], v["age_group"]) for v in victims))


def duplicate_key(date, end, location_id, forms, victims_profile):
    return (date, end, location_id, frozenset(forms), victims_profile)


def flag_duplicates(planned, mission):
    if not planned:
        return
    dates = [p.fields["incident_date"] for p in planned]
    places = {(p.fields["incident_date"], p.fields["incident_date_end"], p.fields["location"].pk): p
              for p in planned}
    # First the cheap match on dates and place, then forms and victims of those few only.
    candidates = defaultdict(list)
    for pk, date, end, location_id in (Incident.objects.filter(
            mission=mission, incident_date__gte=min(dates), incident_date__lte=max(dates)).active()
            .values_list("pk", "incident_date", "incident_date_end", "location_id").iterator(chunk_size=5000)):
        if (date, end, location_id) in places:
            candidates[(date, end, location_id)].append(pk)
    ids = [pk for pks in candidates.values() for pk in pks]
    forms, victims, references = defaultdict(set), defaultdict(list), {}
    for chunk in range(0, len(ids), 5000):
        part = ids[chunk:chunk + 5000]
        for incident_id, code in Incident.forms.through.objects.filter(incident_id__in=part).values_list(
                "incident_id", "formofviolence_id"):
            forms[incident_id].add(code)
        for incident_id, sex, group in Victim.objects.filter(incident_id__in=part).values_list(
                "incident_id", "sex", "age_group"):
            victims[incident_id].append({"sex": sex, "age_group": group})
        references.update(Incident.objects.filter(pk__in=part).values_list("pk", "reference"))
    existing = {}
    for (date, end, location_id), pks in candidates.items():
        for pk in pks:
            existing.setdefault(duplicate_key(date, end, location_id, forms[pk], profile(victims[pk])),
                                references[pk])
    seen = {}
    for p in planned:
        key = duplicate_key(p.fields["incident_date"], p.fields["incident_date_end"], p.fields["location"].pk,
                            p.form_codes, profile(p.victims))
        if key in existing:
            p.duplicate_of = _("Looks like incident %(ref)s, already recorded (same dates, place, forms and "
                               "victims).") % {"ref": existing[key]}
        elif key in seen:
            p.duplicate_of = _("Looks like the incident at row %(row)s of this file (same dates, place, forms and "
                               "victims).") % {"row": seen[key]}
        else:
            seen[key] = p.first_row
