"""The mission's yearly contribution to the Secretary-General's annual report on CRSV (docs/domain.md,
"The MARA cycle"): per named party, verified incidents and victims of the year, incidents by form of
CRSV and victims by victim group, with the party's type and whether it is listed in the annex.

Figures come from the rollup (`figures.party_crosstab` over `figures.mission_scope`: the mission's
active incidents, without information received under an information-sharing protocol). The file
leaves the mission, so every count passes small-cell suppression (`disclosure.suppress`): "<5" for
a small count, "x" for one withheld so that a small one cannot be worked out from a total. Text is
neutralised against formula injection. Only the SWPA exports it; every download is audited with the
file's SHA-256.
"""

import datetime
import hashlib
import io

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

from crsv_mis import access, audit, disclosure
from incidents.choices import CrsvFormCode, PartyType, VictimGroup
from incidents.models import Party
from incidents.stats import VICTIM_GROUP_ORDER

from . import figures, render

FORMATS = ("xlsx", "csv")
FIRST_YEAR = 2000


def safe_text(value):
    """A text cell that a spreadsheet will not run: text starting with = + - @, a tab or a carriage
    return gets a leading ' (and characters a spreadsheet cannot hold are dropped)."""
    return render.neutralise(value)


def years(today=None):
    """The years one may export, newest first."""
    this_year = (today or timezone.localdate()).year
    return list(range(this_year, FIRST_YEAR - 1, -1))


def contribution(mission, year):
    """The full counts per named party for `year` (stays in this module: only `table` leaves it)."""
    scope = figures.mission_scope(mission.pk)
    rows = figures.party_crosstab(scope, start=datetime.date(year, 1, 1), end=datetime.date(year, 12, 1))
    parties = {str(p.pk): p for p in Party.objects.filter(mission=mission)}
    result = []
    for row in rows:
        party = parties.get(str(row["key"]))
        result.append({
            "party": party.name if party else (row["label"] or ""),
            "party_type": party.party_type if party else "",
            "listed_in_sg_annex": bool(party and party.listed_in_sg_annex),
            "incidents": row["incidents"],
            "victims": row["victims"],
            "forms": {code: row["forms"].get(code, 0) for code in CrsvFormCode.values},
            "victim_groups": {str(code): row["victim_groups"].get(str(code), 0) for code in VICTIM_GROUP_ORDER},
        })
    return result


def header():
    forms = [_("Incidents: %(form)s") % {"form": CrsvFormCode(code).label} for code in CrsvFormCode.values]
    groups = [_("Victims: %(group)s") % {"group": VictimGroup(code).label} for code in VICTIM_GROUP_ORDER]
    return [_("Party"), _("Type of party"), _("Listed in the SG annex"), _("Verified incidents"),
            _("Verified victims"), *forms, *groups]


def table(mission, year):
    """The rows as they leave the mission: header first, every count suppressed, text made safe."""
    lines = [header()]
    for row in contribution(mission, year):
        (incidents,), _none = disclosure.suppress([row["incidents"]])
        forms, _none = disclosure.suppress(list(row["forms"].values()))
        groups, victims = disclosure.suppress(list(row["victim_groups"].values()), total=row["victims"])
        party_type = str(PartyType(row["party_type"]).label) if row["party_type"] in PartyType.values else ""
        lines.append([safe_text(row["party"]), safe_text(party_type),
                      _("Yes") if row["listed_in_sg_annex"] else _("No"), incidents, victims, *forms, *groups])
    return lines


def notes(mission, year):
    return [
        [_("Contribution to the Secretary-General's annual report on conflict-related sexual violence")],
        [_("Mission"), safe_text(mission.name)],
        [_("Year"), year],
        [_("Period"), f"{year}-01 – {year}-12"],
        [_("Generated"), timezone.localtime().strftime("%Y-%m-%d %H:%M")],
        [_("Counted"), _("Verified incidents only, by the month of the incident date; information received "
                         "under an information-sharing protocol is not counted.")],
        [_("Parties"), _("Named parties only. An incident attributed to two parties counts under both; an "
                         "incident with several forms counts under each form.")],
        [_("Small counts"), _("'<%(n)s' is a count from 1 to %(m)s. 'x' is a count withheld so that a small "
                              "one cannot be worked out from the total.") % {"n": disclosure.threshold(),
                                                                            "m": disclosure.threshold() - 1}],
        [_("Caveat"), _("CRSV is heavily under-reported: these figures are minimums.")],
    ]


def as_xlsx(mission, year):
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    sheet.title = _("Contribution")[:31]
    for line in table(mission, year):
        sheet.append(line)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "B2"
    sheet.column_dimensions["A"].width = 32
    about = book.create_sheet(_("About")[:31])
    for line in notes(mission, year):
        about.append(line)
    about.column_dimensions["A"].width = 18
    about.column_dimensions["B"].width = 100
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def as_csv(mission, year):
    return render.csv_bytes(table(mission, year))


def filename(mission, year, fmt):
    return f"{mission.code}-sg-contribution-{year}.{fmt}"


def download(mission, year, fmt, *, user, request=None):
    """(bytes, filename, content_type, sha256) of the year's contribution, audited. SWPA only."""
    if not access.can_export_sg_contribution(user) or user.mission_id != mission.pk:
        raise PermissionDenied
    if fmt not in FORMATS:
        raise ValueError(fmt)
    if year not in years():
        raise ValueError(year)
    data = as_xlsx(mission, year) if fmt == "xlsx" else as_csv(mission, year)
    digest = hashlib.sha256(data).hexdigest()
    audit.record("report.sg_export", user=user, obj=mission, request=request,
                 detail={"mission": mission.code, "year": year, "format": fmt, "sha256": digest, "size": len(data)})
    return data, filename(mission, year, fmt), render.CONTENT_TYPES[fmt], digest
