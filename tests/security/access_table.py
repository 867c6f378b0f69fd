"""Who gets what: the expected answer of every route of the site, for every role, for an object in
and out of scope. tests/security/test_access_matrix.py asks each of them and compares.

Read a row as: route (URL pattern name, "namespace:name" in the Django admin, the route itself when
the pattern has no name; `*` stands for any text, so one row covers a family of admin pages), the
method asked, the scope of the object in the URL, then the answer for each role.

Scopes (tests/security/access_world.py):
  -       the route takes no object
  here    an object of the users' mission, at the north duty station (where the WPA, the first HRO
          and the field reporter are posted); the draft is the WPA's, the request to disclose too
  south   the same kind of object at the mission's south duty station, made by the south HRO
  abroad  the same kind of object in another mission

Answers:
  ok       200, the page or the data
  empty    200, an API list with nothing in it (the role is scoped to no record)
  login    302 to the login page (the site's, or the Django admin's)
  redir    302 elsewhere (a role sent to its own page, a form sent back after a POST)
  400      the request reached the view, which refused what was sent (an empty POST: whether the
           role could act with a full form is the service's test, e.g. tests/reporting)
  401      the API without a valid token
  403      the role has no such page at all
  404      the object is outside what the role may read: its existence does not leak
  405      the route answers another method (a GET on a POST-only route)
  409      the step does not apply now (approving a version one generated, endorsing twice)

A POST row is asked with an empty form (the CSRF check is test_every_post_needs_the_csrf_token's);
the test also checks that a GET of it answers 405 (or the login page, signed out).

Adding a route: run tests/security/test_access_matrix.py, which names the route without a row; if
the route takes an object, give it one in tests/security/routes.ARGUMENTS (the scopes it exists in);
then write its row here with the answer each role must get, which is a decision about who may see
what, not a copy of what the code answers today.
"""

import fnmatch
from dataclasses import dataclass

OK, EMPTY, LOGIN, REDIRECT = "ok", "empty", "login", "redir"
BAD, NOAUTH, DENIED, HIDDEN, METHOD, CONFLICT = "400", "401", "403", "404", "405", "409"
ANSWERS = frozenset({OK, EMPTY, LOGIN, REDIRECT, BAD, NOAUTH, DENIED, HIDDEN, METHOD, CONFLICT})

ANONYMOUS = "anonymous"
COLUMNS = (ANONYMOUS, "WPA", "HRO", "SWPA", "MARA_CHAIR", "MARA_MEMBER", "REFERRAL_FOCAL_POINT", "LEADERSHIP",
           "FIELD_REPORTER", "ADMIN", "AUDITOR")

# What a visitor who is not signed in may get: never a page or data...
NEVER_DATA = frozenset({LOGIN, NOAUTH, HIDDEN, METHOD})
# ...but on these routes, which are for visitors: signing in, the language switch, leaving.
PUBLIC = frozenset({"login", "logout", "set_language", "admin:login", "admin:logout"})

TABLE = """
# route                           meth scope  anon  WPA   HRO   SWPA  CHAIR MEMBR FOCAL LEAD  FIELD ADMIN AUDIT
## Signing in, the language, help: everyone signed in; the login steps and the language switch are for visitors
home                              GET  -      login ok    ok    ok    ok    ok    ok    ok    ok    ok    ok
login                             GET  -      ok    redir redir redir redir redir redir redir redir redir redir
otp_verify                        GET  -      login redir redir redir redir redir redir redir redir redir redir
logout                            POST -      login login login login login login login login login login login
set_language                      POST -      redir redir redir redir redir redir redir redir redir redir redir

## Intake: incident records (layer A to the station's WPA/HRO and the SWPA, layer B to the MARA), drafts, imports (SWPA)
incident_list                     GET  -      login ok    ok    ok    ok    ok    403   403   403   403   403
incident_create                   GET  -      login ok    ok    ok    403   403   403   403   ok    403   403
incident_archive                  GET  -      login 403   403   403   403   403   403   403   403   ok    403
# The administrator asks to archive; the SWPA confirms or declines.
incident_archive_requests         GET  -      login 403   403   ok    403   403   403   403   403   403   403
intake_drafts                     GET  -      login ok    ok    ok    403   403   403   403   ok    403   403
intake_draft_save                 POST -      login redir redir redir 403   403   403   403   redir 403   403
intake_draft_discard              GET  here   login ok    404   404   404   404   404   404   404   404   404
intake_draft_discard              GET  south  login 404   404   404   404   404   404   404   404   404   404
intake_draft_discard              GET  abroad login 404   404   404   404   404   404   404   404   404   404
incident_import                   GET  -      login 403   403   ok    403   403   403   403   403   403   403
incident_import_template          GET  here   login 403   403   ok    403   403   403   403   403   403   403
incident_import_detail            GET  here   login 403   403   ok    403   403   403   403   403   403   403
incident_import_detail            GET  abroad login 403   403   404   403   403   403   403   403   403   403
incident_import_choose            POST here   login 403   403   redir 403   403   403   403   403   403   403
incident_import_choose            POST abroad login 403   403   404   403   403   403   403   403   403   403
incident_import_fix_file          GET  here   login 403   403   redir 403   403   403   403   403   403   403
incident_import_fix_file          GET  abroad login 403   403   404   403   403   403   403   403   403   403
incident_import_discard           POST here   login 403   403   redir 403   403   403   403   403   403   403
incident_import_discard           POST abroad login 403   403   404   403   403   403   403   403   403   403
incident_import_retry             POST here   login 403   403   redir 403   403   403   403   403   403   403
incident_import_retry             POST abroad login 403   403   404   403   403   403   403   403   403   403
incident_detail                   GET  here   login ok    ok    ok    ok    ok    404   404   404   404   404
incident_detail                   GET  south  login 404   404   ok    ok    ok    404   404   404   404   404
incident_detail                   GET  abroad login 404   404   404   404   404   404   404   404   404   404
incident_edit                     GET  here   login ok    ok    ok    404   404   404   404   404   404   404
incident_edit                     GET  south  login 404   404   ok    404   404   404   404   404   404   404
incident_edit                     GET  abroad login 404   404   404   404   404   404   404   404   404   404

## Early-warning alerts: the station's focal points (WPA, HRO) and the SWPA; a field reporter sees her own
alert_list                        GET  -      login ok    ok    ok    403   403   403   403   ok    403   403
alert_create                      GET  -      login ok    ok    ok    ok    ok    ok    ok    ok    403   403
alert_response_times              GET  -      login 403   403   ok    ok    ok    403   ok    403   403   403
alert_detail                      GET  here   login ok    ok    ok    404   404   404   404   ok    404   404
alert_detail                      GET  south  login 404   404   ok    404   404   404   404   404   404   404
alert_detail                      GET  abroad login 404   404   404   404   404   404   404   404   404   404
alert_acknowledge                 POST here   login redir redir redir 404   404   404   404   403   404   404
alert_acknowledge                 POST south  login 404   404   redir 404   404   404   404   404   404   404
alert_acknowledge                 POST abroad login 404   404   404   404   404   404   404   404   404   404
alert_respond                     POST here   login 400   400   400   404   404   404   404   403   404   404
alert_respond                     POST south  login 404   404   400   404   404   404   404   404   404   404
alert_respond                     POST abroad login 404   404   404   404   404   404   404   404   404   404
alert_close                       POST here   login redir redir redir 404   404   404   404   403   404   404
alert_close                       POST south  login 404   404   redir 404   404   404   404   404   404   404
alert_close                       POST abroad login 404   404   404   404   404   404   404   404   404   404

## Data roles asked for by an administrator: the mission's SWPA approves or declines them
role_requests                     GET  -      login 403   403   ok    403   403   403   403   403   403   403

## Notifications and the guides: everyone signed in
notifications                     GET  -      login ok    ok    ok    ok    ok    ok    ok    ok    ok    ok
help                              GET  -      login ok    ok    ok    ok    ok    ok    ok    ok    ok    ok
tour                              GET  -      login ok    ok    ok    ok    ok    ok    ok    ok    ok    ok
guide_consent                     GET  -      login ok    ok    ok    ok    ok    ok    ok    ok    ok    ok
guide_crsv                        GET  -      login ok    ok    ok    ok    ok    ok    ok    ok    ok    ok

## The audit trail: the AUDITOR's alone (the SWPA reads each incident's access log on its page)
audit_trail                       GET  -      login 403   403   403   403   403   403   403   403   403   ok
audit_export                      GET  -      login 403   403   403   403   403   403   403   403   403   ok

## The MARA room: the SWPA, the chair and members; leadership reads the trends, recommendations and commitments
mara_dashboard                    GET  -      login 403   403   ok    ok    ok    403   ok    403   403   403
mara_home                         GET  -      login 403   403   ok    ok    ok    403   403   403   403   403
mara_review                       GET  -      login 403   403   ok    ok    ok    403   403   403   403   403
mara_verifiers                    GET  -      login 403   403   403   ok    403   403   403   403   403   403
mara_verifier_change              POST -      login 403   403   403   404   403   403   403   403   403   403
mara_review_decision              GET  here   login 403   403   ok    ok    ok    403   403   403   403   403
mara_review_decision              GET  south  login 403   403   ok    ok    ok    403   403   403   403   403
mara_review_decision              GET  abroad login 403   403   404   404   404   403   403   403   403   403
meeting_list                      GET  -      login 403   403   ok    ok    ok    403   403   403   403   403
meeting_create                    GET  -      login 403   403   ok    ok    403   403   403   403   403   403
meeting_detail                    GET  here   login 403   403   ok    ok    ok    403   403   403   403   403
meeting_detail                    GET  abroad login 403   403   404   404   404   403   403   403   403   403
meeting_edit                      GET  here   login 403   403   ok    ok    403   403   403   403   403   403
meeting_edit                      GET  abroad login 403   403   404   404   403   403   403   403   403   403
action_point_status               POST here   login 403   403   redir redir 403   403   403   403   403   403
action_point_status               POST abroad login 403   403   404   404   403   403   403   403   403   403
analysis_list                     GET  -      login 403   403   ok    ok    ok    403   403   403   403   403
analysis_month                    GET  here   login 403   403   ok    ok    ok    403   403   403   403   403
analysis_endorse                  POST here   login 403   403   403   409   403   403   403   403   403   403
analysis_reopen                   POST here   login 403   403   403   400   403   403   403   403   403   403
analysis_revision                 GET  here   login 403   403   ok    ok    ok    403   403   403   403   403
recommendation_list               GET  -      login 403   403   ok    ok    ok    403   ok    403   403   403
recommendation_create             GET  -      login 403   403   ok    ok    403   403   403   403   403   403
recommendation_detail             GET  here   login 403   403   ok    ok    ok    403   ok    403   403   403
recommendation_detail             GET  abroad login 403   403   404   404   404   403   404   403   403   403
recommendation_edit               GET  here   login 403   403   ok    ok    403   403   403   403   403   403
recommendation_edit               GET  abroad login 403   403   404   404   403   403   403   403   403   403
commitment_list                   GET  -      login 403   403   ok    ok    ok    403   ok    403   403   403
commitment_create                 GET  -      login 403   403   ok    ok    403   403   403   403   403   403
commitment_detail                 GET  here   login 403   403   ok    ok    ok    403   ok    403   403   403
commitment_detail                 GET  abroad login 403   403   404   404   404   403   404   403   403   403
commitment_edit                   GET  here   login 403   403   ok    ok    403   403   403   403   403   403
commitment_edit                   GET  abroad login 403   403   404   404   403   403   403   403   403   403
commitment_review                 POST here   login 403   403   400   400   403   403   403   403   403   403
commitment_review                 POST abroad login 403   403   404   404   403   403   403   403   403   403

## Referrals: the providers directory (managed by the SWPA and the ADMIN), referrals (layer A; a focal point her own)
provider_list                     GET  -      login ok    ok    ok    ok    ok    403   ok    403   ok    403
provider_create                   GET  -      login 403   403   ok    403   403   403   403   403   ok    403
provider_edit                     GET  here   login 403   403   ok    403   403   403   403   403   ok    403
provider_edit                     GET  abroad login 403   403   404   403   403   403   403   403   404   403
service_gaps                      GET  -      login ok    ok    ok    ok    ok    403   ok    403   403   403
referral_list                     GET  -      login ok    ok    ok    404   404   ok    404   404   404   404
referral_create                   GET  here   login ok    ok    ok    404   404   404   404   404   404   404
referral_create                   GET  south  login 404   404   ok    404   404   404   404   404   404   404
referral_create                   GET  abroad login 404   404   404   404   404   404   404   404   404   404
referral_detail                   GET  here   login ok    ok    ok    404   404   ok    404   404   404   404
referral_detail                   GET  south  login 404   404   ok    404   404   404   404   404   404   404
referral_detail                   GET  abroad login 404   404   404   404   404   404   404   404   404   404
referral_status                   POST here   login 400   400   400   404   404   400   404   404   404   404
referral_status                   POST south  login 404   404   400   404   404   404   404   404   404   404
referral_status                   POST abroad login 404   404   404   404   404   404   404   404   404   404
referral_follow_up                POST here   login 400   400   400   404   404   404   404   404   404   404
referral_follow_up                POST south  login 404   404   400   404   404   404   404   404   404   404
referral_follow_up                POST abroad login 404   404   404   404   404   404   404   404   404   404
referral_consent                  POST here   login 400   400   400   404   404   404   404   404   404   404
referral_consent                  POST south  login 404   404   400   404   404   404   404   404   404   404
referral_consent                  POST abroad login 404   404   404   404   404   404   404   404   404   404
referral_withdraw                 POST here   login 400   400   400   404   404   404   404   404   404   404
referral_withdraw                 POST south  login 404   404   400   404   404   404   404   404   404   404
referral_withdraw                 POST abroad login 404   404   404   404   404   404   404   404   404   404

## Quarterly reports (the MARA room; leadership the released ones), SG contribution, de-identified data set, disclosures
report_list                       GET  -      login 403   403   ok    ok    ok    403   redir 403   403   403
report_generate                   POST -      login 403   403   400   400   403   403   403   403   403   403
report_job                        GET  here   login 403   403   ok    ok    ok    403   403   403   403   403
report_job                        GET  abroad login 403   403   404   404   404   403   403   403   403   403
report_job_retry                  POST here   login 403   403   redir redir 403   403   403   403   403   403
report_job_retry                  POST abroad login 403   403   404   404   403   403   403   403   403   403
report_released                   GET  -      login 403   403   ok    ok    ok    403   ok    403   403   403
sg_annual                         GET  -      login 403   403   ok    403   403   403   403   403   403   403
deidentified_export               GET  -      login 403   403   ok    ok    ok    403   403   403   403   403
disclosure_list                   GET  -      login ok    ok    ok    403   403   403   403   403   403   403
disclosure_new                    GET  -      login ok    ok    ok    403   403   403   403   403   403   403
disclosure_detail                 GET  here   login ok    404   ok    403   403   403   403   403   403   403
disclosure_detail                 GET  south  login 404   404   ok    403   403   403   403   403   403   403
disclosure_detail                 GET  abroad login 404   404   404   403   403   403   403   403   403   403
disclosure_approve                POST here   login 400   404   400   403   403   403   403   403   403   403
disclosure_approve                POST south  login 404   404   400   403   403   403   403   403   403   403
disclosure_approve                POST abroad login 404   404   404   403   403   403   403   403   403   403
disclosure_refuse                 POST here   login 400   404   400   403   403   403   403   403   403   403
disclosure_refuse                 POST south  login 404   404   400   403   403   403   403   403   403   403
disclosure_refuse                 POST abroad login 404   404   404   403   403   403   403   403   403   403
disclosure_cancel                 POST here   login 400   404   400   403   403   403   403   403   403   403
disclosure_cancel                 POST south  login 404   404   400   403   403   403   403   403   403   403
disclosure_cancel                 POST abroad login 404   404   404   403   403   403   403   403   403   403
disclosure_send                   POST here   login 400   404   400   403   403   403   403   403   403   403
disclosure_send                   POST south  login 404   404   400   403   403   403   403   403   403   403
disclosure_send                   POST abroad login 404   404   404   403   403   403   403   403   403   403
disclosure_download               GET  here   login 404   404   404   403   403   403   403   403   403   403
disclosure_download               GET  south  login 404   404   404   403   403   403   403   403   403   403
disclosure_download               GET  abroad login 404   404   404   403   403   403   403   403   403   403
report_detail                     GET  here   login 403   403   ok    ok    ok    403   404   403   403   403
report_detail                     GET  abroad login 403   403   404   404   404   403   404   403   403   403
report_approve                    POST here   login 403   403   409   409   403   403   404   403   403   403
report_approve                    POST abroad login 403   403   404   404   404   403   404   403   403   403
report_return                     POST here   login 403   403   400   400   403   403   404   403   403   403
report_return                     POST abroad login 403   403   404   404   404   403   404   403   403   403
report_release                    POST here   login 403   403   400   400   403   403   404   403   403   403
report_release                    POST abroad login 403   403   404   404   404   403   404   403   403   403
report_download                   GET  here   login 403   403   ok    ok    ok    403   404   403   403   403
report_download                   GET  abroad login 403   403   404   404   404   403   404   403   403   403

## Retention (the SWPA) and handover of a station's casework (its officers and the SWPA)
retention_plan                    GET  -      login 403   403   ok    403   403   403   403   403   403   403
retention_periods                 GET  -      login 403   403   ok    403   403   403   403   403   403   403
retention_holds                   GET  -      login 403   403   ok    403   403   403   403   403   403   403
retention_lift                    POST here   login 403   403   400   403   403   403   403   403   403   403
retention_lift                    POST abroad login 403   403   404   403   403   403   403   403   403   403
retention_runs                    GET  -      login 403   403   ok    403   403   403   403   403   403   403
handover_home                     GET  -      login redir redir ok    403   403   403   403   403   403   403
handover_station                  GET  here   login ok    ok    ok    403   403   403   403   403   403   403
handover_station                  GET  south  login 404   404   ok    403   403   403   403   403   403   403
handover_station                  GET  abroad login 404   404   404   403   403   403   403   403   403   403
handover_preview                  POST here   login 400   400   400   403   403   403   403   403   403   403
handover_preview                  POST south  login 404   404   400   403   403   403   403   403   403   403
handover_preview                  POST abroad login 404   404   404   403   403   403   403   403   403   403
handover_confirm                  POST here   login 400   400   400   403   403   403   403   403   403   403
handover_confirm                  POST south  login 404   404   400   403   403   403   403   403   403   403
handover_confirm                  POST abroad login 404   404   404   403   403   403   403   403   403   403

## REST API (/api/v1/), asked with an API token: 401 without one; lists scoped like the pages
stats-trends                      GET  -      401   403   403   ok    ok    ok    403   403   403   403   403
stats-referrals                   GET  -      401   403   403   ok    ok    ok    403   403   403   403   403
referral-list                     GET  -      401   ok    ok    ok    empty empty ok    empty empty empty empty
referral-detail                   GET  here   401   ok    ok    ok    404   404   ok    404   404   404   404
referral-detail                   GET  south  401   404   404   ok    404   404   404   404   404   404   404
referral-detail                   GET  abroad 401   404   404   404   404   404   404   404   404   404   404
audit-event-list                  GET  -      401   403   403   403   403   403   403   403   403   403   ok
api-root                          GET  -      401   ok    ok    ok    ok    ok    ok    ok    ok    ok    ok
incident-list                     GET  -      401   ok    ok    ok    ok    ok    403   403   403   403   403
incident-detail                   GET  here   401   ok    ok    ok    ok    ok    404   404   404   404   404
incident-detail                   GET  south  401   404   404   ok    ok    ok    404   404   404   404   404
incident-detail                   GET  abroad 401   404   404   404   404   404   404   404   404   404   404
incident-archive                  GET  here   401   405   405   405   405   405   405   405   405   405   405
incident-archive                  GET  south  401   405   405   405   405   405   405   405   405   405   405
incident-archive                  GET  abroad 401   405   405   405   405   405   405   405   405   405   405
party-list                        GET  -      401   ok    ok    ok    ok    ok    ok    ok    ok    ok    ok
party-detail                      GET  here   401   ok    ok    ok    ok    ok    ok    ok    ok    ok    ok
party-detail                      GET  abroad 401   404   404   404   404   404   404   404   404   404   404
location-list                     GET  -      401   ok    ok    ok    ok    ok    ok    ok    ok    ok    ok
location-detail                   GET  here   401   ok    ok    ok    ok    ok    ok    ok    ok    ok    ok
location-detail                   GET  abroad 401   404   404   404   404   404   404   404   404   404   404

## The API's schema and docs: signed-in people and token holders only
api-schema                        GET  -      401   ok    ok    ok    ok    ok    ok    ok    ok    ok    ok
api-docs                          GET  -      401   ok    ok    ok    ok    ok    ok    ok    ok    ok    ok

## The Django admin (/django-admin/): accounts and reference data are the ADMIN role's, who deactivates and
## never deletes; every other role is sent to the admin's login page. The object of a "here" row is the first
## row of the model in the administrator's mission, of an "abroad" row the first in the other mission (for
## the tables tied to a mission): the administrator never reaches it. A row with * covers a family of pages.
admin:index                       GET  -      login login login login login login login login login ok    login
admin:login                       GET  -      ok    ok    ok    ok    ok    ok    ok    ok    ok    redir ok
admin:logout                      GET  -      redir redir redir redir redir redir redir redir redir 405   redir
admin:password_change             GET  -      login login login login login login login login login ok    login
admin:password_change_done        GET  -      login login login login login login login login login ok    login
admin:autocomplete                GET  -      login login login login login login login login login 403   login
admin:jsi18n                      GET  -      login login login login login login login login login ok    login
admin:view_on_site                GET  here   login login login login login login login login login 404   login
admin:app_list                    GET  here   login login login login login login login login login ok    login
django-admin/(?P<url>.*)$         GET  here   login login login login login login login login login 404   login
admin:auth_user_password_change   GET  here   login login login login login login login login login ok    login
admin:auth_user_password_change   GET  abroad login login login login login login login login login 404   login
# Nothing is deleted in the admin.
admin:*_delete                    GET  here   login login login login login login login login login 403   login
admin:*_delete                    GET  abroad login login login login login login login login login 403   login
# A mission is created when a mission is deployed, not by its administrator.
admin:crsv_mis_mission_add        GET  -      login login login login login login login login login 403   login
# Tables of the libraries (groups, devices, lockouts): no Django permission is granted to any role.
admin:auth_*                      GET  -      login login login login login login login login login 403   login
admin:auth_*                      GET  here   login login login login login login login login login 403   login
admin:axes_*                      GET  -      login login login login login login login login login 403   login
admin:axes_*                      GET  here   login login login login login login login login login 403   login
# The product's reference data: accounts, missions, duty stations, the gazetteer, parties, indicators, providers.
admin:*                           GET  -      login login login login login login login login login ok    login
admin:*                           GET  here   login login login login login login login login login ok    login
# Another mission's row does not exist for this administrator: the admin sends them back to its index.
admin:*                           GET  abroad login login login login login login login login login redir login
django-admin/*/<path:object_id>/  GET  here   login login login login login login login login login redir login
django-admin/*/<path:object_id>/  GET  abroad login login login login login login login login login redir login
"""


@dataclass(frozen=True)
class Row:
    key: str
    method: str
    scope: str | None
    answers: dict


def _parse(text):
    found, seen = [], set()
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith(("#", "route "))]
    for line in lines:
        key, method, scope, *answers = line.split()
        assert method in ("GET", "POST"), line
        assert len(answers) == len(COLUMNS) and set(answers) <= ANSWERS, line
        assert (key, scope) not in seen, f"two rows for {key} {scope}"
        seen.add((key, scope))
        found.append(Row(key, method, None if scope == "-" else scope, dict(zip(COLUMNS, answers, strict=True))))
    return found


_ROWS = _parse(TABLE)


def rows():
    return list(_ROWS)


def row_for(key, scope):
    """The row of a route key and scope: its own, else the first family row (`*`) matching it."""
    exact = [row for row in _ROWS if row.key == key and row.scope == scope]
    if exact:
        return exact[0]
    family = [row for row in _ROWS if "*" in row.key and row.scope == scope and fnmatch.fnmatchcase(key, row.key)]
    return family[0] if family else None
