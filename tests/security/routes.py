"""Every route of the URLconf with the key the access table knows it by, the URL of each route for an
object of the access world, and what an answer means (tests/security/access_table.py)."""

from dataclasses import dataclass

from django.contrib import admin
from django.db.models import Q
from django.urls import URLResolver, get_resolver

from crsv_mis.admin import in_mission
from tests.security.access_table import BAD, CONFLICT, DENIED, EMPTY, HIDDEN, LOGIN, METHOD, NOAUTH, OK, REDIRECT
from tests.security.access_world import ABROAD, HERE, SOUTH
from tests.security.urls_of_the_site import _piece


@dataclass(frozen=True)
class Route:
    key: str  # "namespace:name", or the route itself when the pattern has no name
    route: str  # the route as written in the URLconf, prefixes joined
    chain: tuple  # the patterns from the root, for filling in the arguments
    params: frozenset

    def url(self, values, query=""):
        values = {name: str(value) for name, value in values.items()}
        return "/" + "".join(_piece(pattern, values) for pattern in self.chain) + query

    @property
    def is_api(self):
        return self.route.lstrip("^").startswith("api/")

    @property
    def is_admin(self):
        return self.route.startswith("django-admin/")


def _walk(patterns, chain, namespace):
    for entry in patterns:
        here = (*chain, entry.pattern)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, here, inner)
        else:
            route = "".join(str(p) for p in here)
            params = frozenset().union(*(p.regex.groupindex for p in here))
            yield Route(f"{namespace}{entry.name}" if entry.name else route, route, here, params)


def discovered_routes():
    """Every URL pattern of the site (DRF's format-suffix twins share their route's key)."""
    return list(_walk(get_resolver().url_patterns, (), ""))


# ---- filling the arguments of a route for an object of a scope

def _pk(kind):
    return lambda objects: {"pk": objects[kind].pk}


def _ref(kind):
    return lambda objects: {"reference": objects[kind].reference}


def _month(objects):
    return {"month": objects["month"].strftime("%Y-%m")}


# Route key -> (the scopes its object exists in, objects -> URL arguments).
STATION_KEPT = (HERE, SOUTH, ABROAD)
MISSION_KEPT = (HERE, ABROAD)
OWN_MISSION = (HERE,)  # a month or a format: nothing of another mission to point at
ARGUMENTS = {
    "intake_draft_discard": (STATION_KEPT, _pk("draft")),
    "incident_import_template": (OWN_MISSION, lambda objects: {"fmt": "csv"}),
    **{key: (MISSION_KEPT, _pk("import")) for key in (
        "incident_import_detail", "incident_import_choose", "incident_import_fix_file", "incident_import_discard",
        "incident_import_retry")},
    **{key: (STATION_KEPT, _ref("incident")) for key in (
        "incident_detail", "incident_edit", "mara_review_decision", "incident-detail", "incident-archive")},
    **{key: (STATION_KEPT, _ref("alert")) for key in (
        "alert_detail", "alert_acknowledge", "alert_respond", "alert_close")},
    **{key: (MISSION_KEPT, _pk("meeting")) for key in ("meeting_detail", "meeting_edit")},
    "action_point_status": (MISSION_KEPT, lambda objects: {"pk": objects["meeting"].action_points.first().pk}),
    **{key: (OWN_MISSION, _month) for key in ("analysis_month", "analysis_endorse", "analysis_reopen")},
    "analysis_revision": (OWN_MISSION, lambda objects: {**_month(objects), "revision": "1"}),
    **{key: (MISSION_KEPT, _pk("recommendation")) for key in ("recommendation_detail", "recommendation_edit")},
    **{key: (MISSION_KEPT, _pk("commitment")) for key in (
        "commitment_detail", "commitment_edit", "commitment_review")},
    "provider_edit": (MISSION_KEPT, _pk("provider")),
    **{key: (STATION_KEPT, _pk("referral")) for key in (
        "referral_detail", "referral_status", "referral_follow_up", "referral_consent", "referral_withdraw",
        "referral-detail")},
    **{key: (MISSION_KEPT, _pk("job")) for key in ("report_job", "report_job_retry")},
    **{key: (STATION_KEPT, _pk("disclosure")) for key in (
        "disclosure_detail", "disclosure_approve", "disclosure_refuse", "disclosure_cancel", "disclosure_send",
        "disclosure_download")},
    **{key: (MISSION_KEPT, _pk("report")) for key in ("report_detail", "report_approve", "report_return",
                                                       "report_release")},
    "report_download": (MISSION_KEPT, lambda objects: {"pk": objects["report"].pk, "edition": "mara-room",
                                                        "fmt": "csv"}),
    "retention_lift": (MISSION_KEPT, lambda objects: {"pk": objects["hold"].pk}),
    **{key: (STATION_KEPT, lambda objects: {"code": objects["station"].code}) for key in (
        "handover_station", "handover_preview", "handover_confirm")},
    "party-detail": (MISSION_KEPT, _pk("party")),
    "location-detail": (MISSION_KEPT, lambda objects: {"pcode": objects["location"].pcode}),
}


# The query a route needs to answer more than "400, bad query", and routes whose object is in the query.
QUERIES = {
    "stats-trends": "?from=2026-01&to=2026-06&group_by=form",
    "stats-referrals": "?from=2026-01&to=2026-06",
}
OBJECT_IN_QUERY = {
    "referral_create": (STATION_KEPT, lambda objects: f"?victim={objects['victim'].pk}"),
}


def url_for(route, scope, objects):
    """The URL of `route` for the object of `scope` (None: a route without an object)."""
    query = OBJECT_IN_QUERY[route.key][1](objects) if route.key in OBJECT_IN_QUERY else QUERIES.get(route.key, "")
    return route.url(arguments_for(route, scope, objects), query)


def _admin_model(route):
    for model in admin.site._registry:
        if route.route.startswith(f"django-admin/{model._meta.app_label}/{model._meta.model_name}/"):
            return model
    return None


def admin_object_id(route, world_objects):
    """The Django admin's object pages get the first row of their model in the scope's mission (a
    table tied to no mission: its first row)."""
    model = _admin_model(route)
    if model is None:
        return "1"
    scope = in_mission(model, world_objects["incident"].mission_id)
    first = model.objects.filter(scope).order_by("pk").first()
    assert first is not None or scope == Q(), f"the access world holds no {model._meta.label} in this scope"
    return str(first.pk) if first else "1"


def arguments_for(route, scope, objects):
    """URL arguments of `route` for the object of `scope`, and the scopes it has (None: no argument)."""
    names = route.params - {"format"}
    # DRF's format-suffix twins: ".json" in a router's root (its converter holds the dot), "json" elsewhere.
    suffix = ".json" if "<drf_format_suffix:format>" in route.route else "json"
    extra = {"format": suffix} if "format" in route.params else {}
    if not names:
        return extra
    if route.is_admin:
        first = admin_object_id(route, objects)
        return {**extra, "object_id": first, "id": first, "pk": first, "content_type_id": "1",
                "app_label": "crsv_mis", "url": "nothing-here"}
    return {**extra, **ARGUMENTS[route.key][1](objects)}


def scopes_of(route):
    if route.key in OBJECT_IN_QUERY:
        return OBJECT_IN_QUERY[route.key][0]
    names = route.params - {"format"}
    if not names:
        return (None,)
    if route.is_admin:
        # The administrator's own mission, and the other mission for the tables tied to a mission.
        model = _admin_model(route)
        return (HERE, ABROAD) if model is not None and in_mission(model, 0) != Q() else (HERE,)
    return ARGUMENTS[route.key][0] if route.key in ARGUMENTS else ()


# ---- reading an answer

def answer_of(response):
    code = response.status_code
    if code == 200 and response.get("Content-Type", "").startswith("application/json"):
        body = response.json()
        if isinstance(body, dict) and body.get("count") == 0 and body.get("results") == []:
            return EMPTY
    if code in (301, 302):
        where = response["Location"]
        if where.startswith(("/accounts/login/", "/django-admin/login/")):
            return LOGIN
        return REDIRECT
    return {200: OK, 400: BAD, 401: NOAUTH, 403: DENIED, 404: HIDDEN, 405: METHOD, 409: CONFLICT}.get(code, str(code))
