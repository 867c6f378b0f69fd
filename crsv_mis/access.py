"""The only door to survivor data.

Every queryset of incident or victim data for a person goes through these
helpers. Layers (docs/domain.md): A identifying, B de-identified, C aggregates.
"""

from django.apps import apps

from .models import AuditEvent, Role

LAYER_A = "A"
LAYER_B = "B"
LAYER_C = "C"
NO_ACCESS = None

# Who reads which layer of incident records.
FULL_ACCESS_ROLES = frozenset({Role.WPA, Role.HRO, Role.SWPA})
DEIDENTIFIED_ROLES = frozenset({Role.MARA_CHAIR, Role.MARA_MEMBER})
AGGREGATE_ROLES = frozenset({Role.LEADERSHIP})
INTAKE_ROLES = frozenset({Role.WPA, Role.HRO, Role.SWPA, Role.FIELD_REPORTER})

# Fields that identify a survivor or a place (layer A); never sent below it.
IDENTIFYING_INCIDENT_FIELDS = frozenset({"narrative", "coordinates", "location"})
IDENTIFYING_VICTIM_FIELDS = frozenset({"name", "contact", "previously_interviewed_by"})


# What the MARA reads of a mission's incidents: de-identified records whose survivors consented to
# sharing, outside any information-sharing protocol (that stays in the human rights compartment).
# One filter for the records, the counts made of them and the rollup cells (which carry both fields),
# so that no figure shown in the MARA room counts a record the MARA cannot open.
MARA_SHARE = {"mara_shareable": True, "shared_under_isp": False}


def record_layer(user):
    """Which layer of incident records this person may read, or None."""
    if not user or not user.is_authenticated or not user.is_active:
        return NO_ACCESS
    if user.role in FULL_ACCESS_ROLES:
        return LAYER_A
    if user.role in DEIDENTIFIED_ROLES:
        return LAYER_B
    return NO_ACCESS


def can_record_incidents(user):
    return bool(user and user.is_authenticated and user.role in INTAKE_ROLES)


def incidents_visible_to(user):
    """Incidents this person may read (any layer). Everything else answers 404."""
    incident_model = apps.get_model("incidents", "Incident")
    layer = record_layer(user)
    if layer is NO_ACCESS or user.mission_id is None:
        return incident_model.objects.none()
    qs = incident_model.objects.filter(mission_id=user.mission_id)
    if user.role == Role.SWPA:
        return qs
    qs = qs.active()
    if user.role in (Role.WPA, Role.HRO):
        # A list of ids, not a subquery: the planner then uses the partial station index.
        return qs.filter(duty_station__in=list(user.duty_stations.values_list("pk", flat=True)))
    return qs.filter(**MARA_SHARE)


def incidents_archivable_by(user):
    """An ADMIN archives by reference without reading the record."""
    incident_model = apps.get_model("incidents", "Incident")
    if not user.is_authenticated or user.role != Role.ADMIN or user.mission_id is None:
        return incident_model.objects.none()
    return incident_model.objects.filter(mission_id=user.mission_id).active()


def sees_identifying_data(user):
    return record_layer(user) == LAYER_A


# Aggregates (layer C): who may see counts, and over which incidents.
AGGREGATE_READERS = frozenset({Role.SWPA, Role.MARA_CHAIR, Role.MARA_MEMBER, Role.LEADERSHIP})
VERIFIER_ROLES = frozenset({Role.MARA_CHAIR, Role.MARA_MEMBER})


# Fine-grained figures (a month by territory, party or group) stay in the MARA room; outside it
# (LEADERSHIP) counts pass small-cell suppression (crsv_mis/disclosure.py).
MARA_ROOM_ROLES = frozenset({Role.SWPA, Role.MARA_CHAIR, Role.MARA_MEMBER})


def can_read_aggregates(user):
    return bool(user and user.is_authenticated and user.role in AGGREGATE_READERS)


def can_read_fine_aggregates(user):
    return bool(user and user.is_authenticated and user.role in MARA_ROOM_ROLES)


def aggregate_scope(user):
    """Which incidents are counted in figures shown to this person, as {"mission_id", "include_isp",
    "mara_share_only"}, or None. Active records of their mission, and:

    - the SWPA, who reads every record, counts every one;
    - the MARA chair and members count exactly the records they read (MARA_SHARE): a count over more
      would give a withheld record away as the count minus the list;
    - leadership reads no record: its figures leave the room through small-cell suppression and count
      everything outside information-sharing protocols (those stay in the human rights compartment).

    The rollup (reporting.figures) and incidents_countable_by both read it."""
    if not can_read_aggregates(user) or user.mission_id is None:
        return None
    mara = user.role in DEIDENTIFIED_ROLES
    return {"mission_id": user.mission_id, "include_isp": user.role == Role.SWPA, "mara_share_only": mara}


def incidents_countable_by(user):
    """The incidents of aggregate_scope(user), as a queryset (direct counts)."""
    incident_model = apps.get_model("incidents", "Incident")
    scope = aggregate_scope(user)
    if scope is None:
        return incident_model.objects.none()
    qs = incident_model.objects.filter(mission_id=scope["mission_id"]).active()
    if not scope["include_isp"]:
        qs = qs.filter(shared_under_isp=False)
    if scope["mara_share_only"]:
        qs = qs.filter(**MARA_SHARE)
    return qs


def incidents_counted_in_mara_room(user):
    """What the working group's own documents count (the monthly analysis): the records the MARA reads,
    whoever in the MARA room (the SWPA included) looks at them."""
    incident_model = apps.get_model("incidents", "Incident")
    if not can_read_fine_aggregates(user) or user.mission_id is None:
        return incident_model.objects.none()
    return incident_model.objects.filter(mission_id=user.mission_id, **MARA_SHARE).active()


# ---- Early-warning alerts (the fast lane)

# Focal points: they receive, read, acknowledge and answer their duty station's alerts.
ALERT_FOCAL_ROLES = frozenset({Role.WPA, Role.HRO})
# Anyone in the mission who sees a risk may raise an alert, except the two roles kept
# apart from operations: the administrator (accounts, not cases) and the auditor (who
# must stay independent of what is audited).
ALERT_NON_REPORTING_ROLES = frozenset({Role.ADMIN, Role.AUDITOR})
# Who reads the times to acknowledge and respond (aggregates only, no alert records): the
# aggregate readers, i.e. the SWPA, leadership and the MARA working group.
ALERT_TIMES_READERS = AGGREGATE_READERS


def can_submit_alerts(user):
    return bool(
        user and user.is_authenticated and user.is_active and user.mission_id is not None
        and user.role in Role.values and user.role not in ALERT_NON_REPORTING_ROLES
    )


def alerts_visible_to(user):
    """Alerts this person may open. WPA/HRO: their duty stations'; SWPA: the mission's;
    a field reporter: the ones they submitted (status only, see sees_alert_content).
    MARA roles, leadership and everyone else: none (aggregate times only)."""
    alert_model = apps.get_model("incidents", "Alert")
    if not user or not user.is_authenticated or not user.is_active or user.mission_id is None:
        return alert_model.objects.none()
    qs = alert_model.objects.filter(mission_id=user.mission_id)
    if user.role == Role.SWPA:
        return qs
    if user.role in ALERT_FOCAL_ROLES:
        return qs.filter(duty_station__in=list(user.duty_stations.values_list("pk", flat=True)))
    if user.role == Role.FIELD_REPORTER:
        return qs.filter(reported_by=user)
    return alert_model.objects.none()


def can_list_alerts(user):
    """Who has an alert list at all: focal points, the SWPA, and field reporters (their own)."""
    return sees_alert_content(user) or bool(user and user.is_authenticated and user.role == Role.FIELD_REPORTER)


def sees_alert_content(user):
    """What was seen, where and who answered: focal points and the SWPA. A field reporter gets
    the status of their own alerts back, nothing more."""
    return bool(user and user.is_authenticated and user.role in ALERT_FOCAL_ROLES | {Role.SWPA})


def can_handle_alert(user, alert):
    """Acknowledge, record responses, close: the station's WPA/HRO or the mission's SWPA."""
    if not user or not user.is_authenticated or not user.is_active or user.mission_id != alert.mission_id:
        return False
    if user.role == Role.SWPA:
        return True
    return user.role in ALERT_FOCAL_ROLES and user.duty_stations.filter(pk=alert.duty_station_id).exists()


def can_read_alert_times(user):
    return bool(user and user.is_authenticated and user.is_active and user.role in ALERT_TIMES_READERS)


def alerts_countable_by(user):
    """Alerts counted in the response-time figures shown to this person (the whole mission)."""
    alert_model = apps.get_model("incidents", "Alert")
    if not can_read_alert_times(user) or user.mission_id is None:
        return alert_model.objects.none()
    return alert_model.objects.filter(mission_id=user.mission_id)


def referrals_visible_to(user):
    """Referrals this person may read. A referral focal point sees the referrals sent to a provider
    they are a focal point of now, once sent (not while PROPOSED): taken off the provider, they no
    longer open its referrals. Nothing is granted per referral, so nothing is left to take back."""
    referral_model = apps.get_model("referrals", "Referral")
    if not user or not user.is_authenticated or not user.is_active or user.mission_id is None:
        return referral_model.objects.none()
    if record_layer(user) == LAYER_A:
        return referral_model.objects.filter(incident__in=incidents_visible_to(user))
    if user.role == Role.REFERRAL_FOCAL_POINT:
        return (referral_model.objects
                .filter(provider__focal_points=user, provider__mission_id=user.mission_id,
                        incident__mission_id=user.mission_id)
                .exclude(status="PROPOSED"))
    return referral_model.objects.none()


def can_refer(user):
    return bool(user and user.is_authenticated and user.role in FULL_ACCESS_ROLES)


# ---- Quarterly reports (reporting.services applies these; views answer 403 for a role that has no
# page at all, 404 for a report outside what the person may read)

# The SWPA and the MARA chair generate versions, edit the narrative of a draft, approve (never a
# version they generated themselves: reporting.services checks that) and release.
REPORT_EDITORS = frozenset({Role.SWPA, Role.MARA_CHAIR})
# Who reads released reports: the MARA room (every version, both editions) and leadership (the
# released versions, in the edition that leaves the MARA room only).
REPORT_READERS = MARA_ROOM_ROLES | {Role.LEADERSHIP}
# The mission's contribution to the Secretary-General's annual report: the SWPA.
SG_CONTRIBUTION_ROLES = frozenset({Role.SWPA})


def _in_mission(user):
    return bool(user and user.is_authenticated and user.is_active and user.mission_id is not None)


def can_read_report_drafts(user):
    """Every version of the mission's quarterly reports, drafts included: the MARA room."""
    return _in_mission(user) and user.role in MARA_ROOM_ROLES


def can_read_released_reports(user):
    return _in_mission(user) and user.role in REPORT_READERS


def can_generate_reports(user):
    return _in_mission(user) and user.role in REPORT_EDITORS


def can_edit_report_narrative(user):
    return _in_mission(user) and user.role in REPORT_EDITORS


def can_approve_reports(user):
    return _in_mission(user) and user.role in REPORT_EDITORS


def can_release_reports(user):
    return _in_mission(user) and user.role in REPORT_EDITORS


def can_export_sg_contribution(user):
    return _in_mission(user) and user.role in SG_CONTRIBUTION_ROLES


def quarterly_reports_visible_to(user):
    """Versions of quarterly reports this person may open: the MARA room every version of their
    mission's reports; leadership the released ones; everyone else none."""
    report_model = apps.get_model("reporting", "QuarterlyReport")
    if can_read_report_drafts(user):
        return report_model.objects.filter(mission_id=user.mission_id)
    if can_read_released_reports(user):
        return report_model.objects.filter(mission_id=user.mission_id, status="RELEASED")
    return report_model.objects.none()


def report_jobs_visible_to(user):
    """Requests to generate a report, followed on their page: the MARA room of the mission."""
    job_model = apps.get_model("reporting", "ReportJob")
    if not can_read_report_drafts(user):
        return job_model.objects.none()
    return job_model.objects.filter(mission_id=user.mission_id)


# ---- De-identified data set (reporting.deidentified)

def can_export_deidentified(user):
    """The de-identified data set is for the MARA room: chair, members and the SWPA."""
    return _in_mission(user) and user.role in MARA_ROOM_ROLES


def incidents_for_deidentified_export(user):
    """What the de-identified data set holds: active incidents of the mission whose every victim
    consented to de-identified sharing, outside any information-sharing protocol. The same for
    the SWPA as for the MARA: the file is the MARA's, whoever downloads it."""
    incident_model = apps.get_model("incidents", "Incident")
    if not can_export_deidentified(user):
        return incident_model.objects.none()
    return incident_model.objects.filter(mission_id=user.mission_id, **MARA_SHARE).active()


# ---- Disclosures to outside bodies (reporting.disclosures). Begin of the disclosure section.

# A request comes from the human rights roles that read the records (layer A); only the SWPA decides,
# and never on a request of their own. Nobody else (the MARA, leadership, the administrator, the
# auditor) has a disclosure page: a request shows per survivor what they consented to.
DISCLOSURE_REQUESTERS = FULL_ACCESS_ROLES
DISCLOSURE_APPROVERS = frozenset({Role.SWPA})


def can_request_disclosures(user):
    return _in_mission(user) and user.role in DISCLOSURE_REQUESTERS


def can_approve_disclosures(user):
    return _in_mission(user) and user.role in DISCLOSURE_APPROVERS


def disclosures_visible_to(user):
    """Requests this person may open: the SWPA every request of the mission; a WPA or HRO the ones
    they made, while they still read every incident in it (a request about a station they left
    answers 404)."""
    disclosure_model = apps.get_model("reporting", "Disclosure")
    if not can_request_disclosures(user):
        return disclosure_model.objects.none()
    qs = disclosure_model.objects.filter(mission_id=user.mission_id)
    if user.role == Role.SWPA:
        return qs
    incident_model = apps.get_model("incidents", "Incident")
    unseen = incident_model.objects.filter(mission_id=user.mission_id).exclude(
        pk__in=incidents_visible_to(user).values("pk"))
    return qs.filter(requested_by=user).exclude(lines__incident__in=unseen)

# ---- End of the disclosure section.


# ---- Importing incident matrices (incidents.imports)

# The SWPA: an import writes records of every duty station of the mission, and only the SWPA reads
# them all (layer A). An ADMIN manages reference data and must never read survivor data.
IMPORT_ROLES = frozenset({Role.SWPA})


def can_import_incidents(user):
    return _in_mission(user) and user.role in IMPORT_ROLES


def incident_imports_visible_to(user):
    import_model = apps.get_model("incidents", "IncidentImport")
    if not can_import_incidents(user):
        return import_model.objects.none()
    return import_model.objects.filter(mission_id=user.mission_id)


# ---- Handover of a duty station's open work (lifecycle.handover)

# The station's human rights officers and the SWPA. The MARA, leadership, the administrator and the
# auditor have no handover page: it names casework (references, survivors' codes).
HANDOVER_ROLES = FULL_ACCESS_ROLES
# Who may take casework over: a WPA or HRO posted to the station, or the mission's SWPA (for a while).
STATION_OFFICER_ROLES = frozenset({Role.WPA, Role.HRO})


def can_view_handovers(user):
    return _in_mission(user) and user.role in HANDOVER_ROLES


def handover_stations_for(user):
    """Duty stations whose handover page this person may open: the SWPA every station of the mission,
    a WPA or HRO the stations she is posted to; everyone else none (a station outside answers 404)."""
    station_model = apps.get_model("crsv_mis", "DutyStation")
    if not can_view_handovers(user):
        return station_model.objects.none()
    qs = station_model.objects.filter(mission_id=user.mission_id)
    if user.role == Role.SWPA:
        return qs
    return qs.filter(pk__in=list(user.duty_stations.values_list("pk", flat=True)))


def can_hand_over(user, station, outgoing):
    """The SWPA hands over anyone's work at a station of the mission (an officer who left without doing
    it); a WPA or HRO hands over her own work at her own station."""
    if not handover_stations_for(user).filter(pk=station.pk).exists():
        return False
    return user.role == Role.SWPA or outgoing.pk == user.pk


def can_take_over(user, station):
    """Whether `user` may receive a station's casework: an active account of the station's mission, a
    WPA or HRO posted to it, or the SWPA."""
    if not (user and user.is_active and user.mission_id == station.mission_id):
        return False
    if user.role == Role.SWPA:
        return True
    return user.role in STATION_OFFICER_ROLES and user.duty_stations.filter(pk=station.pk).exists()


def action_points_for_handover(user):
    """MARA action points this person sees on a handover page: those of their mission, for whoever may
    open a handover page (the page lists only the ones given to the station's officers)."""
    point_model = apps.get_model("mara", "ActionPoint")
    if not can_view_handovers(user):
        return point_model.objects.none()
    return point_model.objects.filter(meeting__mission_id=user.mission_id)


# ---- Intake drafts (incidents/drafts.py)

def intake_drafts_visible_to(user):
    """A draft is its owner's alone, while they may record incidents in their mission: no other
    officer, no SWPA, MARA member, leader, administrator or auditor reads what someone was typing
    about a survivor before it became a record. Anything else answers 404."""
    draft_model = apps.get_model("incidents", "IntakeDraft")
    if not (_in_mission(user) and can_record_incidents(user)):
        return draft_model.objects.none()
    return draft_model.objects.filter(owner=user, mission_id=user.mission_id)


# The audit trail: the AUDITOR's alone (the SWPA keeps the access log of each incident, on its page).
def can_read_audit_trail(user):
    return bool(user and user.is_authenticated and user.is_active and user.role == Role.AUDITOR)


def audit_events_visible_to(user):
    """Events an AUDITOR may read: those of her mission (the mission of the person who acted, or, for a
    task, of the record it touched: crsv_mis/audit.py). An event of no mission is read by no mission's
    auditor."""
    if not can_read_audit_trail(user) or user.mission_id is None:
        return AuditEvent.objects.none()
    events = AuditEvent.objects.filter(mission_id=user.mission_id)
    # Records received under an information-sharing protocol stay inside the human rights roles: not
    # even their reference reaches the auditor (events naming them are left out of her trail, and
    # their references and survivor codes taken out of the details of the others: audit_trail.py).
    incident_model = apps.get_model("incidents", "Incident")
    isp = incident_model.objects.filter(shared_under_isp=True, mission_id=user.mission_id)
    isp_refs = list(isp.values_list("reference", flat=True))
    isp_ids = [str(pk) for pk in isp.values_list("pk", flat=True)]
    if isp_refs:
        events = (events.exclude(object_ref__in=isp_refs)
                  .exclude(object_type="incidents.incident", object_id__in=isp_ids))
    return events
