"""The files of a quarterly report version: PDF (WeasyPrint), XLSX (openpyxl) and CSV, in either
edition (reporting.editions decides what each edition shows; this module only lays it out).

Everything comes from the version itself (its frozen figures, narrative, status, version number and
mission), so the same version renders to the same bytes: the PDF's dates come from the version's
generation time and its identifier from its content; the XLSX's document dates and zip entry times
likewise.

Spreadsheets and CSV files are opened by programs that run formulas: any text cell starting with
"=", "+", "-", "@", a tab or a carriage return gets a leading apostrophe (`neutralise`, from
crsv_mis.cells), so that `=HYPERLINK(...)` typed as a recommendation or a party name stays text.
"""

import csv
import datetime
import hashlib
import io
import re
import unicodedata
import zipfile

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from crsv_mis.cells import neutralise

from . import editions, quarterly
from .models import Edition, FileFormat, ReportStatus

CONTENT_TYPES = {
    FileFormat.PDF.value: "application/pdf",
    FileFormat.XLSX.value: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    FileFormat.CSV.value: "text/csv; charset=utf-8",
}
EDITION_SLUGS = {Edition.MARA_ROOM.value: "mara-room", Edition.EXTERNAL.value: "external"}
SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\']")
SHEET_NAME_MAX = 31


def checksum(data):
    """The sha256 of a file's bytes, in hex (stored with a released file, shown beside a download)."""
    return hashlib.sha256(data).hexdigest()


def _ascii(text):
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-") or "report"


def filename(report, edition, fmt):
    """For example DEMO-2026-Q3-v2-external.pdf (ASCII only)."""
    fmt = FileFormat(fmt).value
    return (f"{_ascii(report.mission.code)}-{report.year}-Q{report.quarter}-v{report.version}-"
            f"{EDITION_SLUGS[Edition(edition).value]}.{fmt}")


def _generated_at(report):
    when = report.generated_at
    if when is None:
        when = datetime.datetime.fromisoformat(report.figures["generated_at"])
    return when.astimezone(datetime.UTC).replace(microsecond=0)


def status_banner(report):
    """What every page of a version that is not (or no longer) the released one says, or ""."""
    if report.status == ReportStatus.RELEASED:
        return ""
    if report.status == ReportStatus.SUPERSEDED:
        return _("SUPERSEDED - replaced by a later version")
    return _("DRAFT - not for release")


def _title(report):
    return _("Quarterly CRSV summary: %(mission)s, %(quarter)s") % {
        "mission": report.mission.name, "quarter": quarterly.quarter_label(report.year, report.quarter)}


def _about(report, edition, paragraphs, narratives):
    """[(field, text)] of the About sheet and of the CSV's "about" rows."""
    figures = report.figures
    period = figures.get("period") or {}
    rows = [
        (_("Title"), _title(report)),
        (_("Mission"), f"{report.mission.name} ({report.mission.code})"),
        (_("Quarter"), quarterly.quarter_label(report.year, report.quarter)),
        (_("Incident dates"), _("%(first)s to %(last)s") % {"first": period.get("from", ""),
                                                            "last": period.get("to", "")}),
        (_("Version"), report.version),
        (_("Status"), str(report.get_status_display())),
        (_("Edition"), str(Edition(edition).label)),
        (_("Generated at"), _generated_at(report).strftime("%Y-%m-%d %H:%M UTC")),
    ]
    if edition == Edition.EXTERNAL:
        rows.append((_("Small-cell threshold"), editions._threshold(figures)))
    if status_banner(report):
        rows.append((_("Release"), status_banner(report)))
    rows.append((_("Caveat"), editions.caveat()))
    rows += [(_("Methodology %(n)d") % {"n": i} if i > 1 else _("Methodology"), text)
             for i, text in enumerate(paragraphs, start=1)]
    rows += [(title, text) for _id, title, text in narratives]
    return rows


def _parts(report, edition, places=None):
    edition = Edition(edition)
    snapshot = report.figures
    return {
        "edition": edition,
        "tables": editions.tables(snapshot, edition, places=places),
        "methodology": editions.methodology(snapshot, edition),
        "narratives": editions.narratives(report, edition, places),
    }


def render_file(report, edition, fmt, *, places=None):
    """The bytes of one file of a QuarterlyReport version. `places`: see editions.tables."""
    fmt = FileFormat(fmt)
    parts = _parts(report, edition, places)
    if fmt == FileFormat.PDF:
        return _pdf(report, parts)
    if fmt == FileFormat.XLSX:
        return _xlsx(report, parts)
    return _csv(report, parts)


# ---- PDF


def _no_fetch():
    """WeasyPrint's URL fetcher for the reports: it refuses every URL. Everything the PDF needs is
    inline; a report never fetches a URL (a field office has no internet, and a fetched resource
    could reveal who opened what). A fetcher object, as WeasyPrint calls it (a bare function fails
    on its first URL, stopping the build); a refused resource is logged and left out."""
    from weasyprint.urls import URLFetcher

    class NoFetch(URLFetcher):
        def fetch(self, url, headers=None):
            raise ValueError(f"the report PDF fetches nothing ({url!r})")

    return NoFetch()


def _pdf(report, parts):
    from weasyprint import HTML  # a heavy import, only where a PDF is made

    edition = parts["edition"]
    created = _generated_at(report).strftime("%Y-%m-%dT%H:%M:%SZ")
    context = {
        "lang": translation.get_language() or "en",
        "title": _title(report),
        "report": report,
        "figures": report.figures,
        "quarter_label": quarterly.quarter_label(report.year, report.quarter),
        "status": str(report.get_status_display()),
        "banner": status_banner(report),
        "watermark": _("SUPERSEDED") if report.status == ReportStatus.SUPERSEDED else _("DRAFT"),
        "edition_label": editions.edition_label(edition),
        "edition_code": edition.value,
        "external": edition == Edition.EXTERNAL,
        "threshold": editions._threshold(report.figures),
        "created": created,
        "generated_at": _generated_at(report).strftime("%Y-%m-%d %H:%M UTC"),
        "caveat": editions.caveat(),
        "methodology": parts["methodology"],
        "narratives": parts["narratives"],
        "tables": parts["tables"],
        # crsv_mis.charts escapes every label and title it draws.
        "charts": [{**c, "svg": mark_safe(c["svg"])}  # noqa: S308  # nosec B308 B703  # charts.py escapes labels
                   for c in editions.charts(report.figures, edition)],
    }
    html = render_to_string("reporting/report_pdf.html", context)
    return HTML(string=html, url_fetcher=_no_fetch()).write_pdf(pdf_identifier=True)


# ---- XLSX


def _short_titles():
    """Sheet names (at most 31 characters) of the tables, by table id."""
    return {
        "quarters": _("Headline by quarter"), "victim_group": _("Women men girls boys"), "form": _("Forms"),
        "admin1": _("Provinces"), "party_type": _("Perpetrator types"), "party": _("Parties"),
        "verification_status": _("Verification"), "site_type": _("Types of site"), "hotspots": _("Hotspots"),
        "rising": _("Sharpest rise"), "trend": _("By month"), "referrals": _("Referrals"),
        "referrals_by_service": _("Referrals by service"), "alerts": _("Alerts"),
        "alerts_by_urgency": _("Alerts by urgency"), "late_additions": _("Late additions"),
        "commitments": _("Commitments"), "recommendations": _("Recommendations"),
    }


def _sheet_names(tables, reserved):
    short = _short_titles()
    names, seen = [], {reserved.casefold()}
    for table in tables:
        title = str(short.get(table["id"], table["title"]))
        base = SHEET_NAME_FORBIDDEN.sub("", title).strip() or "Table"
        name, n = base[:SHEET_NAME_MAX], 1
        while name.casefold() in seen:
            n += 1
            suffix = f" ({n})"
            name = base[:SHEET_NAME_MAX - len(suffix)] + suffix
        seen.add(name.casefold())
        names.append(name)
    return names


def _fixed_zip(data, when):
    """The same archive with every entry dated `when`, in a fixed order (byte-for-byte repeatable)."""
    stamp = (max(when.year, 1980), when.month, when.day, when.hour, when.minute, when.second)
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            target.writestr(entry, source.read(info.filename))
    return out.getvalue()


def _xlsx(report, parts):
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.writer.excel import ExcelWriter

    edition, tables = parts["edition"], parts["tables"]
    when = _generated_at(report)
    book = Workbook()
    bold, italic, wrap = Font(bold=True), Font(italic=True), Alignment(wrap_text=True, vertical="top")
    about = book.active
    about.title = _("About")[:SHEET_NAME_MAX]
    for field, value in _about(report, edition, parts["methodology"], parts["narratives"]):
        about.append([neutralise(str(field)), neutralise(value if isinstance(value, int) else str(value))])
    names = _sheet_names(tables, about.title)
    about.append([])
    about.append([neutralise(_("Sheet")), neutralise(_("Table"))])
    about.cell(row=about.max_row, column=1).font = bold
    about.cell(row=about.max_row, column=2).font = bold
    for name, table in zip(names, tables, strict=True):
        about.append([neutralise(name), neutralise(table["title"])])
    about.column_dimensions["A"].width = 28
    about.column_dimensions["B"].width = 110
    for row in about.iter_rows():
        row[0].font = bold
        for cell in row:
            cell.alignment = wrap

    for name, table in zip(names, tables, strict=True):
        sheet = book.create_sheet(name)
        sheet.append([neutralise(c) for c in table["columns"]])
        for cell in sheet[1]:
            cell.font = bold
        for row in table["rows"]:
            sheet.append([neutralise(v) for v in row])
        if table["total"]:
            sheet.append([neutralise(v) for v in table["total"]])
            for cell in sheet[sheet.max_row]:
                cell.font = bold
        if table["note"]:
            sheet.append([])
            sheet.append([neutralise(table["note"])])
            sheet.cell(row=sheet.max_row, column=1).font = italic
        sheet.freeze_panes = "A2"
        listing = table["kind"] == editions.LIST
        for index in range(len(table["columns"])):
            letter = sheet.cell(row=1, column=index + 1).column_letter
            sheet.column_dimensions[letter].width = (60 if index == 0 else 22) if listing else (
                42 if index == 0 else 18)
    naive = when.replace(tzinfo=None)
    book.properties.creator = "CRSV MIS"
    book.properties.title = _title(report)
    book.properties.created = naive
    book.properties.modified = naive
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        # ExcelWriter rather than Workbook.save, which stamps the document with the current time.
        ExcelWriter(book, archive).write_data()
    return _fixed_zip(buffer.getvalue(), when)


# ---- CSV


def csv_bytes(lines):
    """Rows as a CSV file for a spreadsheet program: UTF-8 with a byte-order mark, so that it
    reads the accents of French names right."""
    buffer = io.StringIO()
    csv.writer(buffer).writerows(lines)
    return buffer.getvalue().encode("utf-8-sig")


def _csv_value(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return repr(value) if isinstance(value, float) else str(value)
    return neutralise(str(value))


def _csv(report, parts):
    edition, tables = parts["edition"], parts["tables"]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["table", "row", "column", "value"])
    for field, value in _about(report, edition, parts["methodology"], parts["narratives"]):
        writer.writerow(["about", _csv_value(str(field)), "value", _csv_value(value)])
    for table in tables:
        writer.writerow(["titles", table["id"], "title", _csv_value(table["title"])])
        if table["note"]:
            writer.writerow(["notes", table["id"], "note", _csv_value(table["note"])])
    for table in tables:
        columns = table["columns"]
        if table["kind"] == editions.LIST:
            # Rows of text have no unique label: numbered, every column a value.
            for number, row in enumerate(table["rows"], start=1):
                for column, value in zip(columns, row, strict=True):
                    writer.writerow([table["id"], number, _csv_value(column), _csv_value(value)])
            continue
        for row in table["rows"] + ([table["total"]] if table["total"] else []):
            for column, value in zip(columns[1:], row[1:], strict=True):
                writer.writerow([table["id"], _csv_value(row[0]), _csv_value(column), _csv_value(value)])
    # With a byte order mark, so that Excel reads UTF-8.
    return ("\ufeff" + out.getvalue()).encode("utf-8")
