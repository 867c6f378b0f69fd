"""Real incident-matrix files for the import tests, written with openpyxl and csv into tmp_path.

Rows are dicts keyed by column key; `good_row()` is a row that passes against the conftest mission
(Testland gazetteer, the north and south offices, the party "Test Front" alias "TF")."""

import csv
import datetime

import openpyxl
from django.utils import timezone

from incidents.imports.columns import COLUMNS

KEYS = [c.key for c in COLUMNS]
LABELS = [c.label_en for c in COLUMNS]


def day(days_ago):
    return timezone.localdate() - datetime.timedelta(days=days_ago)


def dmy(days_ago):
    return day(days_ago).strftime("%d/%m/%Y")


def good_row(**overrides):
    row = {
        "incident_key": "", "duty_station": "north", "incident_date": dmy(20), "date_precision": "DAY",
        "incident_date_end": "", "reported_date": dmy(15), "location": "Ashdale", "site_type": "FIELD_OR_FARM",
        "forms": "RAPE", "conflict_nexus": "PERPETRATOR_ARMED_ACTOR", "source_type": "SURVIVOR_INTERVIEW",
        "source_sex": "FEMALE", "source_reliability": "B", "source_credibility": "2", "shared_under_isp": "No",
        "summary": "One woman reported an attack by armed men in Ashdale territory.", "narrative": "",
        "coordinates": "", "perpetrator_party": "Test Front", "perpetrator_type": "", "perpetrator_number": "2",
        "perpetrator_sex": "MALE", "victim_sex": "FEMALE", "victim_age": "30", "victim_age_group": "",
        "victim_displacement": "IDP", "victim_disability": "NO", "victim_name": "", "victim_contact": "",
        "victim_interviewed_by": "", "consents": "RECORD;SHARE_MARA", "consent_date": dmy(15),
        "consent_given_by": "SURVIVOR", "consent_decided_by": "",
    }
    row.update(overrides)
    return row


def write_csv(path, rows, *, encoding="utf-8", delimiter=",", header=LABELS):
    with open(path, "w", newline="", encoding=encoding) as out:
        writer = csv.writer(out, delimiter=delimiter)
        writer.writerow(header)
        for row in rows:
            writer.writerow([] if row is None else [row.get(k, "") for k in KEYS])
    return path


def write_xlsx(path, rows, *, header=LABELS, sheet_title="Incidents"):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = sheet_title
    sheet.append(header)
    for row in rows:
        sheet.append([] if row is None else [row.get(k) if row.get(k) != "" else None for k in KEYS])
    book.save(path)
    return path


def checked(user, path):
    """Upload the file and check it, in this process (the page does the same for small files)."""
    from incidents.imports import services

    incident_import = services.upload(by=user, file_name=path.name, data=path.read_bytes())
    return services.check_import(incident_import.pk)


def imported(user, path, mode="ALL", include_duplicates=False):
    from incidents.imports import services

    incident_import = checked(user, path)
    services.choose(incident_import, by=user, mode=mode, include_duplicates=include_duplicates)
    return services.run_import(incident_import.pk)


def problems(incident_import):
    """(row, column key, reason) of every problem of the check's report."""
    from incidents.imports import services

    return [(p["row"], p["key"], p["reason"]) for p in services.report(incident_import).get("problems", [])]
