"""The monthly analysis: a narrative beside the month's figures, edited as a draft, endorsed by
the chair (which freezes the figures with the text), and reopened as a new revision.

Revisions are never changed after endorsement and never deleted: a reopened analysis keeps its
endorsed revision, marked superseded, with the figures the chair endorsed."""

import datetime
import re

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crsv_mis import access, audit
from crsv_mis.models import Role
from mara.models import AnalysisStatus, MonthlyAnalysis
from mara.services.meetings import MARA_READERS, EditConflict, RuleError

TEXT_FIELDS = ("patterns", "hotspots", "perpetrators", "response_gaps", "recommendations")
ANALYSIS_EDITORS = MARA_READERS  # chair, members and the SWPA write the draft together
ENDORSER_ROLE = Role.MARA_CHAIR

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class AnalysisLocked(EditConflict):
    """The revision was endorsed or superseded: its text no longer changes."""


def _in_mission(user):
    return bool(user and user.is_authenticated and user.is_active and user.mission_id)


def can_read_analysis(user):
    return _in_mission(user) and user.role in MARA_READERS


def can_edit_analysis(user):
    return _in_mission(user) and user.role in ANALYSIS_EDITORS


def can_endorse(user):
    return _in_mission(user) and user.role == ENDORSER_ROLE


def parse_month(text, today=None):
    """'2026-10' -> date(2026, 10, 1). Months that have not begun have nothing to analyse."""
    match = _MONTH.match(text or "")
    if not match:
        raise ValueError(text)
    month = datetime.date(int(match[1]), int(match[2]), 1)  # ValueError for month 13
    if month > (today or timezone.localdate()).replace(day=1):
        raise ValueError(text)
    return month


def month_key(month):
    return f"{month:%Y-%m}"


def current_month(today=None):
    return (today or timezone.localdate()).replace(day=1)


def previous_month(month):
    return (month - datetime.timedelta(days=1)).replace(day=1)


def analyses_of(user):
    if not can_read_analysis(user):
        return MonthlyAnalysis.objects.none()
    return MonthlyAnalysis.objects.filter(mission_id=user.mission_id)


def current_revision(user, month):
    """The newest revision of the month, or None if nobody has started one."""
    return analyses_of(user).filter(month=month).order_by("-revision").first()


def revisions(user, month):
    return analyses_of(user).filter(month=month).select_related("endorsed_by", "created_by").order_by("-revision")


def months_overview(user, today=None):
    """Each month with an analysis, plus this month and the last (the ones the group works on now),
    newest first, with the newest revision of each."""
    latest = {}
    for analysis in analyses_of(user).order_by("month", "revision"):
        latest[analysis.month] = analysis
    this_month = current_month(today)
    for month in (this_month, previous_month(this_month)):
        latest.setdefault(month, None)
    return [{"month": m, "key": month_key(m), "analysis": latest[m]} for m in sorted(latest, reverse=True)]


def mara_countable(user):
    """The incidents counted in the analysis: exactly the records the MARA reads. The analysis is the
    working group's document, so it counts what the chair would, whoever (the SWPA too) looks at it."""
    return access.incidents_counted_in_mara_room(user)


def live_figures(user, month):
    from incidents.stats import month_figures  # written beside the intake app; imported when used

    return month_figures(mara_countable(user), month)


# The breakdowns shown as tables, in the order the working group reads them.
BREAKDOWN_TITLES = (
    ("form", gettext_lazy("Incidents by form of CRSV")),
    ("admin1", gettext_lazy("Incidents by province")),
    ("admin2", gettext_lazy("Incidents by territory")),
    ("party_type", gettext_lazy("Incidents by type of alleged perpetrator")),
    ("party", gettext_lazy("Incidents by alleged perpetrator party")),
    ("site_type", gettext_lazy("Incidents by type of site")),
    ("verification_status", gettext_lazy("Incidents by verification status")),
)


def figure_tables(figures):
    """The figures dict of incidents.stats.month_figures (live, or a frozen snapshot) laid out for
    the page: totals, the four headline victim groups against the same month a year before, one
    table per breakdown, hotspots. Keys the dict lacks are left out, so an older snapshot still shows."""
    if not figures:
        return None
    year_before = figures.get("year_before") or {}

    def counts(section, unit):
        return {r["key"]: r["count"] for r in (section.get(f"{unit}_by") or {}).get("victim_group") or []}

    now_i, now_v = counts(figures, "incidents"), counts(figures, "victims")
    before_i, before_v = counts(year_before, "incidents"), counts(year_before, "victims")
    groups = [
        {"label": r["label"], "incidents": now_i.get(r["key"], 0), "victims": now_v.get(r["key"], 0),
         "incidents_before": before_i.get(r["key"], 0), "victims_before": before_v.get(r["key"], 0)}
        for r in (figures.get("victims_by") or {}).get("victim_group") or []
    ]
    breakdowns = [
        {"title": title, "rows": (figures.get("incidents_by") or {}).get(key)}
        for key, title in BREAKDOWN_TITLES if (figures.get("incidents_by") or {}).get(key)
    ]
    hot = figures.get("hotspots") or {}
    return {
        "month": figures.get("month"),
        "totals": figures.get("totals") or {},
        "totals_before": year_before.get("totals") or {},
        "period_before": (year_before.get("period") or {}).get("from"),
        "groups": groups,
        "breakdowns": breakdowns,
        "hotspots": hot.get("most_incidents") or [],
        "rising": hot.get("sharpest_rise") or [],
    }


def save_draft(*, by, month, expected_version, fields, request=None):
    """Save the text of the month's draft. The first save starts revision 1. Refused when the
    stored version is not `expected_version` (someone saved first) or when the revision is no
    longer a draft (it was endorsed meanwhile)."""
    if not can_edit_analysis(by):
        raise PermissionDenied
    values = {f: (fields.get(f) or "").strip() for f in TEXT_FIELDS}
    try:
        with transaction.atomic():
            analysis = MonthlyAnalysis.objects.filter(mission_id=by.mission_id, month=month).order_by(
                "-revision").first()
            if analysis is None:
                if expected_version:
                    raise EditConflict(_("This analysis no longer exists as you loaded it."))
                # Two first saves at once: the unique (mission, month, revision) refuses the second.
                analysis = MonthlyAnalysis.objects.create(mission_id=by.mission_id, month=month, created_by=by,
                                                          **values)
                changed = sorted(f for f in TEXT_FIELDS if values[f])
            else:
                if analysis.status != AnalysisStatus.DRAFT:
                    raise AnalysisLocked(_("This analysis was endorsed while you were editing it; endorsed "
                                           "text cannot change."))
                changed = sorted(f for f in TEXT_FIELDS if getattr(analysis, f) != values[f])
                saved = MonthlyAnalysis.objects.filter(
                    pk=analysis.pk, version=expected_version, status=AnalysisStatus.DRAFT
                ).update(version=F("version") + 1, updated_at=timezone.now(), **values)
                if not saved:
                    raise EditConflict(_("Someone else saved this analysis while you were editing it."))
                analysis.refresh_from_db()
            audit.record("mara.analysis.edit", user=by, obj=analysis, request=request,
                         detail={"month": month_key(month), "revision": analysis.revision, "fields": changed,
                                 "version": analysis.version})
    except IntegrityError as error:
        raise EditConflict(_("Someone else started this analysis while you were editing it.")) from error
    return analysis


def endorse(analysis, *, by, expected_version, request=None):
    """The chair endorses the draft as it stands at `expected_version`: the month's figures are
    frozen with the text, and neither changes again."""
    if not can_endorse(by) or analysis.mission_id != by.mission_id:
        raise PermissionDenied
    from incidents.stats import month_figures

    with transaction.atomic():
        stored = MonthlyAnalysis.objects.select_for_update().get(pk=analysis.pk)
        if stored.status != AnalysisStatus.DRAFT:
            raise AnalysisLocked(_("This revision is already endorsed."))
        if stored.version != expected_version:
            raise EditConflict(_("The text changed since you loaded the page. Read it again before endorsing."))
        if not any(getattr(stored, f).strip() for f in TEXT_FIELDS):
            raise RuleError(_("Write the analysis before endorsing it: every section is empty."))
        # The chair's own countable set, exactly as the figures were read when endorsing.
        snapshot = month_figures(mara_countable(by), stored.month)
        stored.figures_snapshot = snapshot
        stored.status = AnalysisStatus.ENDORSED
        stored.endorsed_by = by
        stored.endorsed_at = timezone.now()
        stored.version += 1
        stored.save()
        audit.record("mara.analysis.endorse", user=by, obj=stored, request=request,
                     detail={"month": month_key(stored.month), "revision": stored.revision,
                             "version": stored.version})
    return stored


def reopen(analysis, *, by, reason, request=None):
    """The chair reopens an endorsed analysis: a new draft revision with the text copied; the
    endorsed one is kept, superseded, with its snapshot."""
    if not can_endorse(by) or analysis.mission_id != by.mission_id:
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise RuleError(_("Say why the analysis is reopened."))
    try:
        with transaction.atomic():
            # Only the endorsed, newest revision can be reopened, and only once.
            superseded = MonthlyAnalysis.objects.filter(pk=analysis.pk, status=AnalysisStatus.ENDORSED).update(
                status=AnalysisStatus.SUPERSEDED, version=F("version") + 1
            )
            if not superseded:
                raise AnalysisLocked(_("Only an endorsed analysis can be reopened, and this one was reopened "
                                       "already or is still a draft."))
            old = MonthlyAnalysis.objects.get(pk=analysis.pk)
            draft = MonthlyAnalysis.objects.create(
                mission_id=old.mission_id, month=old.month, revision=old.revision + 1, created_by=by,
                reopen_reason=reason,
                **{f: getattr(old, f) for f in TEXT_FIELDS},
            )
            audit.record("mara.analysis.reopen", user=by, obj=draft, request=request,
                         detail={"month": month_key(old.month), "revision": draft.revision,
                                 "supersedes": old.pk})
    except IntegrityError as error:
        raise AnalysisLocked(_("Someone reopened this analysis already.")) from error
    return draft
