"""The AUDITOR's view of the audit trail: filters shared by the page, its CSV export and the API,
the rows of the export, and the events that record each reading of the trail.

An event says who, role, what, which record (type, id, reference), when and from where; its `detail`
holds codes, ids and counts only (crsv_mis/audit.py). What the auditor reads goes through `shown`: no
survivor code and no reference of a record received under an information-sharing protocol reaches
her, in a detail or a record column, and the free-text reason some older events kept is never shown.
Every filter matches a column exactly, on an index (migration 0008), so a page of a
trail of hundreds of thousands of events stays quick.
"""

import csv
import datetime
import json

import django_filters
from django.apps import apps
from django.db import connection
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from . import access, audit
from .cells import neutralise
from .models import AuditEvent, Role

# The filters as the audit event of a reading records them (values as typed, cut short).
FILTERS = ("person", "role", "action", "object_type", "record", "date_from", "date_to")
MAX_FILTER = 64


def _day_start(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


class AuditEventFilter(django_filters.FilterSet):
    """The filters of the API: exact text, so any value may be asked."""

    person = django_filters.CharFilter(field_name="username", max_length=150, label=_("Person (user name)"))
    role = django_filters.ChoiceFilter(choices=Role.choices, label=_("Role"))
    action = django_filters.CharFilter(max_length=64, label=_("Action"))
    object_type = django_filters.CharFilter(max_length=64, label=_("Kind of record"))
    record = django_filters.CharFilter(method="_record", max_length=64, label=_("Record (number or reference)"))
    date_from = django_filters.DateFilter(method="_date_from", label=pgettext_lazy("start of a date range", "From"))
    date_to = django_filters.DateFilter(method="_date_to", label=pgettext_lazy("end of a date range", "To"))

    class Meta:
        model = AuditEvent
        fields = []

    def _record(self, queryset, name, value):
        # A number or a reference: each side of the OR on an index of its own.
        value = value.strip()
        return queryset.filter(Q(object_id=value) | Q(object_ref=value)) if value else queryset

    def _date_from(self, queryset, name, value):
        return queryset.filter(at__gte=_day_start(value))

    def _date_to(self, queryset, name, value):
        # The whole of the last day, in the site's time zone.
        return queryset.filter(at__lt=_day_start(value + datetime.timedelta(days=1)))


# The distinct values of an indexed column, one index probe each ("loose index scan"): a plain
# DISTINCT reads the whole trail at every viewing of the page.
_DISTINCT = """
WITH RECURSIVE present(value) AS (
    (SELECT {column} FROM crsv_mis_auditevent WHERE {column} > '' ORDER BY {column} LIMIT 1)
    UNION ALL
    SELECT (SELECT {column} FROM crsv_mis_auditevent WHERE {column} > present.value ORDER BY {column} LIMIT 1)
    FROM present WHERE present.value IS NOT NULL
) SELECT value FROM present WHERE value IS NOT NULL"""
INDEXED_CHOICES = ("action", "object_type")


def _present(column):
    if column not in INDEXED_CHOICES:  # a fixed name, never a request's
        raise ValueError(column)
    def choices():
        if connection.vendor != "postgresql":
            values = AuditEvent.objects.exclude(**{column: ""}).order_by(column).values_list(column, flat=True)
            return [(v, v) for v in values.distinct()]
        with connection.cursor() as cursor:
            cursor.execute(_DISTINCT.format(column=column))
            return [(v, v) for (v,) in cursor.fetchall()]
    return choices


class AuditPageFilter(AuditEventFilter):
    """The page's filters: the actions and kinds of record present in the trail, to choose from."""

    action = django_filters.ChoiceFilter(choices=_present("action"), label=_("Action"))
    object_type = django_filters.ChoiceFilter(choices=_present("object_type"), label=_("Kind of record"))


def filtered(user, data, *, filterset_class=AuditPageFilter):
    """(filterset, events) of the trail the user may read, filtered by `data`, newest first."""
    filterset = filterset_class(data or None, queryset=access.audit_events_visible_to(user))
    events = filterset.qs if filterset.is_bound and filterset.is_valid() else filterset.queryset
    if filterset.is_bound and not filterset.is_valid():
        events = events.none()
    return filterset, events.order_by("-id")


def filters_asked(data):
    """The filters asked, as the reading's audit event keeps them."""
    return {name: str(data[name])[:MAX_FILTER] for name in FILTERS if data.get(name)}


def record_view(request, data, *, page=None, count=None, api=False):
    detail = {"filters": filters_asked(data)}
    if page is not None:
        detail["page"] = page
    if count is not None:
        detail["count"] = count
    if api:
        detail["api"] = True
    return audit.record("audit.view", request=request, detail=detail)


def record_export(request, data):
    return audit.record("audit.export", request=request, detail={"filters": filters_asked(data)})


WITHHELD = "withheld"
_LOOKUP = 500


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def _naming_a_survivor(strings):
    """Those of `strings` that are a survivor's code or the reference of a record received under an
    information-sharing protocol (any mission's: a detail may quote a code it was typed)."""
    incident_model = apps.get_model("incidents", "Incident")
    victim_model = apps.get_model("incidents", "Victim")
    strings, found = sorted(strings), set()
    for start in range(0, len(strings), _LOOKUP):
        part = strings[start:start + _LOOKUP]
        found.update(incident_model.objects.filter(shared_under_isp=True, reference__in=part)
                     .values_list("reference", flat=True))
        found.update(victim_model.objects.filter(code__in=part).values_list("code", flat=True))
    return found


def _without(value, withheld):
    if isinstance(value, str):
        return WITHHELD if value in withheld else value
    if isinstance(value, dict):
        return {key: _without(item, withheld) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_without(item, withheld) for item in value]
    return value


def shown(events):
    """`events` (audit events, or rows of their values) as the auditor reads them: every survivor code
    and every reference of a record received under a protocol, in `detail` or `object_ref`, replaced by
    WITHHELD, and no free-text `reason`. The one way out of the trail to the auditor (page, CSV, API)."""
    events = list(events)
    rows = [event if isinstance(event, dict) else vars(event) for event in events]
    withheld = _naming_a_survivor({s for row in rows for s in _strings([row["object_ref"], row["detail"]])})
    for event, row in zip(events, rows, strict=True):
        values = {"object_ref": _without(row["object_ref"], withheld), "detail": _without(row["detail"], withheld),
                  "reason": ""}
        if isinstance(event, dict):
            event.update(values)
        else:
            for name, value in values.items():
                setattr(event, name, value)
    return events


def detail_text(detail):
    return json.dumps(detail, sort_keys=True, separators=(", ", ": "), ensure_ascii=False) if detail else ""


HEADER = ("at", "person", "role", "action", "object_type", "object_id", "reference", "ip", "detail")


class _Echo:
    def write(self, value):
        return value


def csv_lines(events, *, chunk=2000):
    """The export, line by line (streamed: a whole trail is never held in memory). Every cell goes
    through `neutralise`: a filter typed as "=HYPERLINK(...)" stays text in a spreadsheet."""
    writer = csv.writer(_Echo(), lineterminator="\r\n")
    yield writer.writerow(HEADER)
    columns = ("at", "username", "role", "action", "object_type", "object_id", "object_ref", "ip", "detail")
    batch = []
    for row in events.values(*columns).iterator(chunk_size=chunk):
        batch.append(row)
        if len(batch) == chunk:
            yield from _csv_rows(writer, columns, batch)
            batch = []
    yield from _csv_rows(writer, columns, batch)


def _csv_rows(writer, columns, batch):
    for row in shown(batch):
        cells = [timezone.localtime(row["at"]).isoformat(timespec="seconds"),
                 *[row[c] or "" for c in columns[1:-1]], detail_text(row["detail"])]
        yield writer.writerow([neutralise(str(c)) for c in cells])
