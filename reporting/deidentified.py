"""The de-identified data set (docs/domain.md, "Survivor safety rules", layer B): one row per incident for
the MARA room's own analysis, as CSV or XLSX.

What it holds and what it never holds:
- only incidents whose every victim consented to de-identified sharing with the MARA, and never
  information received under an information-sharing protocol (access.incidents_for_deidentified_export);
- dates to the month (incident and reported), places to the territory (admin2), codes for every
  category, victims counted by group (women, men, girls, boys, unknown), perpetrator types and
  named parties, generalised (and rows left out) until every combination of what a reader could know
  from outside is shared by at least k rows (reporting/anonymity.py), rows sorted by their shown values;
- no reference, name, contact, narrative, summary, locality or coordinates: nothing typed about a
  person. Text that reaches a cell (place and party names) is neutralised against formula injection.
Record-level data does not leave the MARA room, so counts are not suppressed here; the "About"
sheet says so. Every download is audited with the file's SHA-256.
"""

import hashlib
import io

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from crsv_mis import access, audit
from incidents import stats
from incidents.choices import (
    ConflictNexus,
    CrsvFormCode,
    DatePrecision,
    PartyType,
    SiteType,
    SourceType,
    VerificationStatus,
)
from incidents.models import Perpetrator, Victim
from incidents.stats import VICTIM_GROUP_ORDER

from . import anonymity, render
from .render import neutralise

FORMATS = ("xlsx", "csv")
SEPARATOR = ";"


def header():
    groups = [_("Victims: %(group)s") % {"group": str(code.label)} for code in VICTIM_GROUP_ORDER]
    return [_("Row"), _("Month of the incident"), _("Date precision"), _("Month reported"),
            _("Province code"), _("Province"), _("Territory code"), _("Territory"), _("Type of site"),
            _("Forms of CRSV"), _("Victims"), *groups, _("Types of alleged perpetrator"),
            _("Named parties"), _("Verification status"), _("Conflict nexus"), _("Source of information")]


def incidents(user, start, end):
    """The incidents of the data set for the months `start`..`end`, oldest first."""
    return (access.incidents_for_deidentified_export(user)
            .filter(incident_date__gte=stats.month_start(start), incident_date__lt=stats.add_months(end, 1))
            .select_related("admin1", "admin2")
            .prefetch_related("forms", Prefetch("victims", queryset=Victim.objects.only("incident_id", "victim_group")),
                              Prefetch("perpetrators", queryset=Perpetrator.objects.select_related("party")))
            .order_by("incident_date", "pk"))


def _record(incident):
    groups = [v.victim_group for v in incident.victims.all()]
    perpetrators = list(incident.perpetrators.all())
    record = anonymity.Record(
        month=stats.month_key(incident.incident_date),
        reported=stats.month_key(incident.reported_date),
        province=(incident.admin1.pcode, incident.admin1.name),
        territory=(incident.admin2.pcode, incident.admin2.name) if incident.admin2 else ("", ""),
        site=incident.site_type,
        forms=tuple(sorted(f.code for f in incident.forms.all())),
        victims=str(len(groups)),
        groups=tuple(str(groups.count(str(code))) for code in VICTIM_GROUP_ORDER),
        perpetrator_types=tuple(sorted({p.party_type for p in perpetrators})),
        parties=tuple(sorted({p.party.name for p in perpetrators if p.party})))
    return record, (incident.incident_date_precision, incident.status, incident.conflict_nexus,
                    incident.source_type)


def anonymised(user, start, end):
    """The period's incidents as the file holds them (anonymity.Result)."""
    return anonymity.anonymise([_record(incident) for incident in incidents(user, start, end)])


def _number(value):
    return int(value) if value.isdigit() else value


def table(user, start, end, result=None):
    """Header first, then one row per incident kept, as it goes into the file."""
    result = result or anonymised(user, start, end)
    lines = [header()]
    for number, (r, (precision, status, nexus, source)) in enumerate(result.rows, start=1):
        lines.append([
            number, r.month, precision, r.reported,
            r.province[0], neutralise(r.province[1]), r.territory[0], neutralise(r.territory[1]),
            r.site, SEPARATOR.join(r.forms), _number(r.victims), *[_number(g) for g in r.groups],
            SEPARATOR.join(r.perpetrator_types), neutralise(SEPARATOR.join(r.parties)),
            status, nexus, source,
        ])
    return lines


def code_lists():
    """The reference lists whose codes the data set holds: [[list, code, label]], the labels in the
    reader's language (the cells keep the stable codes, so files in either language compare)."""
    lists = [(_("Date precision"), DatePrecision), (_("Type of site"), SiteType), (_("Forms of CRSV"), CrsvFormCode),
             (_("Types of alleged perpetrator"), PartyType), (_("Verification status"), VerificationStatus),
             (_("Conflict nexus"), ConflictNexus), (_("Source of information"), SourceType)]
    return [[name, code, str(label)] for name, choices in lists for code, label in choices.choices]


def about(user, start, end, result):
    rows = len(result.rows)
    return [
        [_("De-identified incident data set")],
        [_("Mission"), neutralise(user.mission.name)],
        [_("Period"), f"{stats.month_key(start)} – {stats.month_key(end)}"],
        [_("Incidents"), rows],
        [_("Generated"), timezone.localtime().strftime("%Y-%m-%d %H:%M")],
        [_("Held"), _("Incidents whose every victim consented to de-identified sharing with the MARA, outside any "
                      "information-sharing protocol; archived incidents are left out.")],
        [_("Left out"), _("References, names, contacts, narratives, summaries, localities and coordinates. Dates "
                          "are given to the month at most, places to the territory at most.")],
        [_("Codes"), _("Categories are the stable codes of the reference lists; several values are separated "
                       "by \"%(sep)s\". The Codes sheet gives the meaning of each code.") % {"sep": SEPARATOR}],
        [_("Use"), _("For the MARA room only: these are records, not figures, and small counts are not "
                     "suppressed. Do not share this file outside the working group.")],
        [_("Caveat"), _("CRSV is heavily under-reported: the incidents here are a minimum.")],
        [_("Anonymity"), _("Every combination of dates, places, type of site, forms, victim groups and "
                           "perpetrators in this file is shared by at least %(k)s rows (k-anonymity, k = %(k)s; "
                           "smallest group: %(smallest)s rows).") % {"k": result.k,
                                                                     "smallest": result.smallest_group}],
        [_("Generalised"), "; ".join(result.steps) if result.steps else _("nothing: every combination was "
                                                                          "already shared by k rows")],
        [_("Incidents left out"), _("%(n)s incidents, still alone in a group smaller than k after generalisation.")
         % {"n": result.left_out}],
        [_("Order"), _("Rows are sorted by the values they show, not by date: their order tells nothing more.")],
        [_("Marks"), _("\"%(mark)s\" marks a value withheld by generalisation.") % {"mark": anonymity.WITHHELD}],
    ]


def as_xlsx(user, start, end, result):
    from openpyxl import Workbook
    from openpyxl.styles import Font

    lines = table(user, start, end, result)
    book = Workbook()
    sheet = book.active
    sheet.title = _("Incidents")[:31]
    for line in lines:
        sheet.append(line)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "C2"
    notes = book.create_sheet(_("About")[:31])
    for line in about(user, start, end, result):
        notes.append(line)
    notes.column_dimensions["A"].width = 18
    notes.column_dimensions["B"].width = 100
    codes = book.create_sheet(_("Codes")[:31])
    codes.append([_("List"), _("Code"), _("Meaning")])
    for cell in codes[1]:
        cell.font = Font(bold=True)
    for line in code_lists():
        codes.append(line)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def as_csv(user, start, end, result):
    return render.csv_bytes(table(user, start, end, result))


def download(user, start, end, fmt, *, request=None):
    """(bytes, filename, content_type, sha256) of the data set for `start`..`end`, audited."""
    if not access.can_export_deidentified(user):
        raise PermissionDenied
    if fmt not in FORMATS or stats.period_errors(start, end):
        raise ValueError((start, end, fmt))
    result = anonymised(user, start, end)
    data = (as_xlsx if fmt == "xlsx" else as_csv)(user, start, end, result)
    digest = hashlib.sha256(data).hexdigest()
    audit.record("export.deidentified", user=user, obj=user.mission, request=request,
                 detail={"from": stats.month_key(start), "to": stats.month_key(end), "format": fmt,
                         "incidents": len(result.rows), "left_out": result.left_out, "k": result.k,
                         "sha256": digest, "size": len(data)})
    name = f"{user.mission.code}-deidentified-{stats.month_key(start)}-{stats.month_key(end)}.{fmt}"
    return data, name, render.CONTENT_TYPES[fmt], digest
