"""The provider directory and the service gaps (docs/domain.md, "Referrals").

- The directory lists the providers of the person's mission: type, services offered (active ones),
  areas covered, availability. The contact (encrypted at rest) is shown only to WPA, HRO and SWPA;
  the ADMIN, who manages reference data, also edits it on the provider form.
- `providers_for(mission, service, location)` is what the referral form offers.
- `service_gaps(user)` says, per admin1 and admin2 of the mission's country, which services have no
  available provider covering the area, beside the incidents of the last 12 complete months there
  (a window that moves a month at a time, never a day: two readings a day apart give nothing
  away). Outside the MARA room the counts pass crsv_mis.disclosure: a province's territories add
  up to its count, so they pass secondary suppression against it.
"""

import datetime

from django.apps import apps
from django.db import transaction
from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from crsv_mis import access, audit, disclosure
from crsv_mis.models import Location, LocationLevel, Role, User

from .models import Provider, ProviderService, Service

DIRECTORY_READERS = frozenset({Role.WPA, Role.HRO, Role.SWPA, Role.ADMIN, Role.MARA_CHAIR, Role.MARA_MEMBER,
                               Role.LEADERSHIP})
CONTACT_READERS = frozenset({Role.WPA, Role.HRO, Role.SWPA})
DIRECTORY_MANAGERS = frozenset({Role.SWPA, Role.ADMIN})
GAP_READERS = frozenset({Role.SWPA, Role.MARA_CHAIR, Role.MARA_MEMBER, Role.LEADERSHIP, Role.WPA, Role.HRO})
GAP_WINDOW_MONTHS = 12


def _has_role(user, roles):
    return bool(user and user.is_authenticated and user.is_active and user.mission_id is not None
                and user.role in roles)


def can_read_directory(user):
    return _has_role(user, DIRECTORY_READERS)


def sees_contact(user):
    """Who reads a provider's contact in the directory. The ADMIN edits it on the form only."""
    return _has_role(user, CONTACT_READERS)


def can_manage_providers(user):
    return _has_role(user, DIRECTORY_MANAGERS)


def can_read_gaps(user):
    return _has_role(user, GAP_READERS)


def _active_services():
    return Prefetch("services", queryset=ProviderService.objects.filter(active=True).order_by("service"),
                    to_attr="active_services")


def providers_of(user):
    """Providers of this person's mission (none when they may not read the directory)."""
    if not can_read_directory(user):
        return Provider.objects.none()
    return (Provider.objects.filter(mission_id=user.mission_id)
            .prefetch_related(_active_services(), "areas", "focal_points").order_by("name"))


def area_choices(mission):
    """Admin1 and admin2 areas of the mission's country: what a provider may cover."""
    if mission is None or mission.country_id is None:
        return Location.objects.none()
    return Location.objects.filter(
        Q(level=LocationLevel.ADMIN1, parent_id=mission.country_id)
        | Q(level=LocationLevel.ADMIN2, admin1__parent_id=mission.country_id)
    ).select_related("admin1").order_by("level", "name")


def focal_point_choices(mission):
    return User.objects.filter(mission=mission, role=Role.REFERRAL_FOCAL_POINT, is_active=True).order_by("username")


def set_services(provider, services):
    """Offered services become active; the others already recorded become inactive (kept for history)."""
    wanted = set(services)
    existing = {ps.service: ps for ps in provider.services.all()}
    for code in Service.values:
        row = existing.get(code)
        if code in wanted and row is None:
            ProviderService.objects.create(provider=provider, service=code, active=True)
        elif row is not None and row.active != (code in wanted):
            row.active = code in wanted
            row.save(update_fields=["active"])


def save_provider(form, *, by, request=None):
    """Save a validated ProviderForm (instance's mission already set) with its services; audit it.
    The audit detail names the changed fields, never the contact's value."""
    creating = form.instance.pk is None
    with transaction.atomic():
        provider = form.save()
        before = sorted(provider.services.filter(active=True).values_list("service", flat=True))
        set_services(provider, form.cleaned_data.get("services", []))
        after = sorted(form.cleaned_data.get("services", []))
        changed = sorted(set(form.changed_data) - {"services"} | ({"services"} if before != after else set()))
        audit.record("provider.create" if creating else "provider.change", user=by, obj=provider, request=request,
                     detail={"fields": changed, "services": after})
    return provider


def providers_for(mission, service, location):
    """Available providers of the mission offering `service` actively, as a list; each has `covers_area`.

    A provider covers the location when its areas include the location's admin2, or its admin1 (a
    province covers its territories). Covering providers come first, then the others, by name.
    """
    mission_id = getattr(mission, "pk", mission)
    providers = list(
        Provider.objects.filter(mission_id=mission_id, available=True,
                                services__service=service, services__active=True)
        .distinct().prefetch_related("areas").order_by("name")
    )
    wanted = set()
    if location is not None:
        wanted = {location.admin1_id, location.admin2_id} - {None}
    for provider in providers:
        provider.covers_area = bool(wanted & {area.pk for area in provider.areas.all()})
    providers.sort(key=lambda p: (not p.covers_area, p.name.lower(), p.pk))
    return providers


def _countable_incidents(user):
    """Incidents counted in the gap figures: the aggregate readers' own scope; WPA and HRO count
    the mission's active records outside any information-sharing protocol (like leadership)."""
    if access.can_read_aggregates(user):
        return access.incidents_countable_by(user)
    incident_model = apps.get_model("incidents", "Incident")
    if not can_read_gaps(user):
        return incident_model.objects.none()
    return incident_model.objects.filter(mission_id=user.mission_id, shared_under_isp=False).active()


def gap_window(today):
    """(first day, last day) of the last GAP_WINDOW_MONTHS complete months before `today`'s month."""
    last = today.replace(day=1) - datetime.timedelta(days=1)
    first = last.replace(day=1)
    for _step in range(GAP_WINDOW_MONTHS - 1):
        first = (first - datetime.timedelta(days=1)).replace(day=1)
    return first, last


def service_gaps(user, *, today=None):
    """Rows, a province followed by its territories: the services no available provider covers there,
    and the incidents of the last 12 complete months (see `gap_window`), as the reader's audience
    may see them (crsv_mis.disclosure).

    A territory is covered by a provider covering it or its province. A province is covered by a
    provider covering the province or at least one of its territories (its territories' rows show
    where the cover stops).
    """
    if not can_read_gaps(user):
        return []
    mission = user.mission
    since, until = gap_window(today or timezone.localdate())
    rules = disclosure.Rules(disclosure.audience_of(user))
    areas = list(area_choices(mission))
    admin1s = [a for a in areas if a.level == LocationLevel.ADMIN1]
    admin2s = [a for a in areas if a.level == LocationLevel.ADMIN2]

    # Services offered (available provider, active service) per area covered directly.
    offered = {}
    rows = (ProviderService.objects.filter(provider__mission=mission, provider__available=True, active=True)
            .values_list("service", "provider__areas"))
    for service, area_id in rows:
        if area_id is not None:
            offered.setdefault(area_id, set()).add(service)

    incidents = _countable_incidents(user).filter(incident_date__gte=since, incident_date__lte=until)
    by_admin1 = dict(incidents.values("admin1_id").annotate(n=Count("id")).values_list("admin1_id", "n"))
    by_admin2 = dict(incidents.values("admin2_id").annotate(n=Count("id")).values_list("admin2_id", "n"))

    def row(area, covered, count, shown):
        missing = [(code, label) for code, label in Service.choices if code not in covered]
        return {
            "area": area,
            "is_admin1": area.level == LocationLevel.ADMIN1,
            "missing": [label for _code, label in missing],
            "missing_codes": [code for code, _label in missing],
            "incidents": shown,
            "no_medical_with_incidents": bool(count) and Service.MEDICAL not in covered,
        }

    result = []
    for province in admin1s:
        territories = [t for t in admin2s if t.admin1_id == province.pk]
        own = offered.get(province.pk, set())
        anywhere = set(own)
        for territory in territories:
            anywhere |= offered.get(territory.pk, set())
        total = by_admin1.get(province.pk, 0)
        counts = [by_admin2.get(territory.pk, 0) for territory in territories]
        # The territories add up to the province, with the incidents recorded without a territory
        # as one more (unseen) cell.
        shown, shown_total = rules.column([*counts, max(total - sum(counts), 0)], total)
        result.append(row(province, anywhere, total, shown_total))
        for territory, count, cell in zip(territories, counts, shown, strict=False):
            result.append(row(territory, own | offered.get(territory.pk, set()), count, cell))
    return result
