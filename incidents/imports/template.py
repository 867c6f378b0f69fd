"""The incident-matrix template, as XLSX (instructions, the data sheet with an example row, every
allowed code with its English and French label, the mission's places and parties) or as CSV (the
header and the example row).

Headers are written in the language of the page (English or French); the import reads either, and
the column keys too. Every text cell passes through crsv_mis.cells.neutralise.
"""

import csv
import datetime
import io

import openpyxl
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from crsv_mis.cells import neutralise
from crsv_mis.models import DutyStation, Location, LocationLevel

from ..models import Party
from .columns import COLUMNS, english_label, french_label
from .reading import DATA_SHEET

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
BOLD = Font(bold=True)


def header_labels():
    return [c.label for c in COLUMNS]


def example_row(mission):
    """One plausible, fictional row built from the mission's own reference data."""
    today = timezone.localdate()
    values = {c.key: c.example for c in COLUMNS}
    values["incident_date"] = (today - datetime.timedelta(days=10)).strftime("%d/%m/%Y")
    values["reported_date"] = (today - datetime.timedelta(days=7)).strftime("%d/%m/%Y")
    values["consent_date"] = values["reported_date"]
    place = Location.objects.of_mission(mission).filter(level=LocationLevel.ADMIN2).order_by("pcode").first()
    values["location"] = place.name if place else ""
    station = DutyStation.objects.filter(mission=mission).order_by("code").first()
    values["duty_station"] = station.code if station else ""
    party = Party.objects.filter(mission=mission, active=True).order_by("name").first()
    values["perpetrator_party"] = party.name if party else ""
    if party:
        values["perpetrator_type"] = party.party_type
    if place:
        values["summary"] = _("One woman reported an attack by armed men in %(place)s territory.") % {
            "place": place.name}
    return [values[c.key] for c in COLUMNS]


def instructions():
    lines = [
        _("Incident matrix: one row per victim."),
        _("Rows with the same Incident key are one incident with several victims. Fill the incident's columns "
          "on its first row; on the other rows leave them empty or write the same."),
        _("A row without an Incident key is an incident with one victim."),
        _("Dates are read day first (25/03/2026), or as 2026-03-25. 03/2026 is a month, 2026 a year."),
        _("Codes: see the Codes sheet. The English or French label works too, and F/M for sex."),
        _("Places: a territory or locality by name or place code (Places sheet). Parties: a name or an alias "
          "(Parties sheet)."),
        _("Formulas are refused: type values. To start a text with '=', put an apostrophe first."),
        _("Nothing is written until every row is right, unless you choose to import the valid rows and get "
          "the others back in a file to fix."),
        _("Rows that look like incidents already recorded are held back until you confirm them."),
        _("The file holds survivor data: keep it encrypted, delete it once imported."),
        "",
        _("Columns"),
    ]
    rows = [[line] for line in lines]
    for column in COLUMNS:
        rows.append([column.label_en, column.label_fr, column.key,
                     _("required") if column.required else _("optional"), str(column.help)])
    return rows


def xlsx(mission):
    book = openpyxl.Workbook()
    about = book.active
    about.title = "Instructions"
    for row in instructions():
        about.append([neutralise(v) for v in row])
    about["A1"].font = BOLD
    about.column_dimensions["A"].width = 40

    data = book.create_sheet(DATA_SHEET)
    data.append([neutralise(v) for v in header_labels()])
    data.append([neutralise(v) for v in example_row(mission)])
    for cell in data[1]:
        cell.font = BOLD
    for index in range(1, len(COLUMNS) + 1):
        data.column_dimensions[get_column_letter(index)].width = 18
    data.freeze_panes = "A2"
    book.active = 1

    codes = book.create_sheet("Codes")
    codes.append([_("Column"), _("Code"), _("English"), _("French")])
    for column in COLUMNS:
        if column.choices is None:
            continue
        for code in column.choices.values:
            codes.append([neutralise(v) for v in (column.label, code, english_label(column.choices, code),
                                                  french_label(column.choices, code))])
    # Either letter works in any sex column, whatever the language of the file.
    codes.append([neutralise(v) for v in (_("Sex (any column)"), "F / M", "Female / Male", "Féminin / Masculin")])

    places = book.create_sheet("Places")
    places.append([_("Place code (pcode)"), _("Name"), _("Level"), _("Path")])
    for place in (Location.objects.of_mission(mission).filter(level__in=[LocationLevel.ADMIN2, LocationLevel.LOCALITY])
                  .select_related("admin1", "admin2").order_by("pcode")):
        places.append([neutralise(v) for v in (place.pcode, place.name, str(place.get_level_display()),
                                               place.path)])

    parties = book.create_sheet("Parties")
    parties.append([_("Party"), _("Type"), _("Aliases")])
    for party in Party.objects.filter(mission=mission, active=True).prefetch_related("aliases"):
        parties.append([neutralise(v) for v in (party.name, party.party_type,
                                                "; ".join(a.name for a in party.aliases.all()))])
    for sheet in (codes, places, parties):
        for cell in sheet[1]:
            cell.font = BOLD
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(mission):
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow([neutralise(v) for v in header_labels()])
    writer.writerow([neutralise(v) for v in example_row(mission)])
    # With the BOM, Excel opens the accents of the French headers correctly.
    return ("\ufeff" + out.getvalue()).encode("utf-8")
