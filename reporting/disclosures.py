"""Disclosures to outside bodies: the rules. Views call these; nothing else writes a Disclosure.

docs/domain.md ("Survivor safety rules"): disclosures to national police, military or justice are recorded,
and what is sent is checked against consent. Life of a request:

    REQUESTED   a WPA, HRO or the SWPA asks: what (groups of fields, DisclosureItem), to whom
                (the body and its reference), why (legal basis and purpose), about which incidents
                (only ones the requester reads, never one received under an information-sharing
                protocol)
    -> APPROVED or REFUSED   by an SWPA who is not the requester, a reason required to refuse
    -> SENT     the requester or an SWPA makes the file and records when and how it went; the
                file is stored once, encrypted, with the SHA-256 of what was sent
    REQUESTED/APPROVED -> CANCELLED   by the requester or an SWPA, with a reason

Consent is checked per victim against the victim's SHARE_JUSTICE consent, on the page, at the
approval and again at the moment the file is made (a withdrawal after the approval takes that victim
out). A child's consent counts only when the caregiver gave it or a best-interest decision was
recorded, with who decided (as for referrals). Only consenting victims' information goes into the
file; an incident with no consenting victim is left out. The narrative and the exact dates and place
describe every victim of an incident, so they go out only when every victim of that incident
consented. Every state change adds one to `version`: a decision taken on a page read before another
decision is refused, never applied on top of it. Every step and every download is audited.
"""

import datetime
import io
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext, pgettext_lazy

from crsv_mis import access, audit, encryption, notify
from crsv_mis.models import User
from incidents.choices import ConsentGivenBy, ConsentKind
from incidents.models import Consent, Incident, Perpetrator, Victim

from .models import (
    DisclosedVictim,
    Disclosure,
    DisclosureFile,
    DisclosureIncident,
    DisclosureItem,
    DisclosureState,
    FileFormat,
    SendChannel,
)
from .render import CONTENT_TYPES, checksum, neutralise

State = DisclosureState
Item = DisclosureItem
MAX_INCIDENTS = 200
# What each victim's consent check found; the codes are stored with a sent disclosure.
CONSENTED = "CONSENTED"
NO_CONSENT = "NO_CONSENT"
WITHDRAWN = "WITHDRAWN"
CHILD_SURVIVOR_ONLY = "CHILD_SURVIVOR_ONLY"
CHILD_NO_DECISION_MAKER = "CHILD_NO_DECISION_MAKER"
ISP = "ISP"
OUT_OF_SCOPE = "OUT_OF_SCOPE"
REASONS = {
    CONSENTED: gettext_lazy("Consented: goes into the file"),
    NO_CONSENT: gettext_lazy("No consent to share with a justice body: left out"),
    WITHDRAWN: gettext_lazy("Consent withdrawn: left out"),
    CHILD_SURVIVOR_ONLY: gettext_lazy("Child survivor: the consent must be the caregiver's or a best-interest "
                                      "decision: left out"),
    CHILD_NO_DECISION_MAKER: gettext_lazy("Child survivor: who decided is not recorded: left out"),
    ISP: gettext_lazy("Received under an information-sharing protocol: never disclosed outside"),
    OUT_OF_SCOPE: gettext_lazy("Outside what the person making the file may read: left out"),
}
# The incident-level fields that describe every victim of the incident at once.
WHOLE_INCIDENT_ITEMS = frozenset({Item.DATES_PLACE, Item.NARRATIVE})


class DisclosureError(ValueError):
    """The step breaks a rule; the message says which, in plain words."""


class EditConflict(DisclosureError):
    """Someone else changed the request since this person read it."""


# ---- reading


def disclosures_of(user):
    return access.disclosures_visible_to(user)


def can_decide(user, disclosure):
    return (access.can_approve_disclosures(user) and user.mission_id == disclosure.mission_id
            and user.pk != disclosure.requested_by_id)


def can_send_or_cancel(user, disclosure):
    """The requester, or an SWPA of the mission."""
    return bool(access.can_request_disclosures(user) and user.mission_id == disclosure.mission_id
                and (user.pk == disclosure.requested_by_id or access.can_approve_disclosures(user)))


@dataclass
class VictimCheck:
    victim: Victim
    consent: Consent | None
    reason: str
    sent_reason: str = ""  # for a sent disclosure: what the check found when the file was made

    @property
    def included(self):
        return self.reason == CONSENTED

    @property
    def label(self):
        return REASONS[self.reason]

    @property
    def sent_label(self):
        return REASONS.get(self.sent_reason, "")


@dataclass
class IncidentCheck:
    incident: Incident
    victims: list = field(default_factory=list)
    problem: str = ""  # ISP or OUT_OF_SCOPE: nothing of the incident goes out

    @property
    def included_victims(self):
        return [v for v in self.victims if v.included]

    @property
    def included(self):
        return not self.problem and bool(self.included_victims)

    @property
    def every_victim_consented(self):
        return self.included and len(self.included_victims) == len(self.victims)

    @property
    def problem_label(self):
        return REASONS[self.problem] if self.problem else ""


def victim_reason(victim, consent):
    """The consent check of one victim (a code of REASONS)."""
    if consent is None or not consent.given:
        return NO_CONSENT
    if consent.withdrawn_at is not None:
        return WITHDRAWN
    if victim.is_child:
        if consent.given_by not in (ConsentGivenBy.CAREGIVER, ConsentGivenBy.BEST_INTEREST):
            return CHILD_SURVIVOR_ONLY
        if not (consent.decided_by or "").strip():
            return CHILD_NO_DECISION_MAKER
    return CONSENTED


def consent_check(disclosure, user):
    """Per incident of the request, per victim: does the consent to share with a justice body cover
    it, now. Read fresh from the database every time (never cached on the request)."""
    justice = Consent.objects.filter(kind=ConsentKind.SHARE_JUSTICE)
    incidents = (Incident.objects.filter(pk__in=disclosure.lines.values("incident_id"))
                 .select_related("admin1", "admin2", "location")
                 .prefetch_related("forms", Prefetch("victims", queryset=Victim.objects.prefetch_related(
                     Prefetch("consents", queryset=justice, to_attr="justice_consents"))),
                     Prefetch("perpetrators", queryset=Perpetrator.objects.select_related("party")))
                 .order_by("reference"))
    readable = set(access.incidents_visible_to(user).filter(pk__in=[i.pk for i in incidents])
                   .values_list("pk", flat=True))
    checks = []
    for incident in incidents:
        problem = ISP if incident.shared_under_isp else OUT_OF_SCOPE if incident.pk not in readable else ""
        victims = []
        for victim in incident.victims.all():
            consent = victim.justice_consents[0] if victim.justice_consents else None
            victims.append(VictimCheck(victim, consent, problem or victim_reason(victim, consent)))
        checks.append(IncidentCheck(incident, victims, problem))
    return checks


def with_sent_checks(disclosure, checks):
    """For a sent disclosure, put beside each victim what the check found when the file was made."""
    sent = dict(disclosure.victim_checks.values_list("victim_code", "reason"))
    for check in checks:
        for victim_check in check.victims:
            victim_check.sent_reason = sent.get(victim_check.victim.code, "")
    return checks


def summary_of(checks):
    return {"incidents": len(checks), "incidents_included": sum(c.included for c in checks),
            "victims": sum(len(c.victims) for c in checks),
            "victims_included": sum(len(c.included_victims) for c in checks)}


def item_labels(disclosure):
    return [Item(code).label for code in Item.values if code in disclosure.items]


# ---- asking


def parse_references(text):
    """Incident references typed or pasted: separated by spaces, commas, semicolons or new lines."""
    seen = []
    for part in (text or "").replace(",", " ").replace(";", " ").split():
        ref = part.strip().upper()
        if ref and ref not in seen:
            seen.append(ref)
    return seen


def request_disclosure(*, by, recipient, legal_basis, purpose, items, references, recipient_reference="",
                       request=None):
    """Record a REQUESTED disclosure. Every reference must be an incident the requester reads and none
    may be information received under an information-sharing protocol; all problems are named at once."""
    if not access.can_request_disclosures(by):
        raise PermissionDenied
    items = [code for code in Item.values if code in set(items or ())]
    if not items:
        raise DisclosureError(_("Choose at least one kind of information asked for."))
    if not references:
        raise DisclosureError(_("Give the reference of at least one incident."))
    if len(references) > MAX_INCIDENTS:
        raise DisclosureError(_("A request can hold at most %(n)d incidents.") % {"n": MAX_INCIDENTS})
    readable = {i.reference: i for i in access.incidents_visible_to(by).filter(reference__in=references)}
    problems = []
    for ref in references:
        incident = readable.get(ref)
        if incident is None:
            # The same words whether it exists elsewhere or not: its existence does not leak.
            problems.append(_("%(ref)s: no incident you can read has this reference.") % {"ref": ref})
        elif incident.shared_under_isp:
            problems.append(_("%(ref)s was received under an information-sharing protocol: it stays with "
                              "human rights staff and is never disclosed outside.") % {"ref": ref})
    if problems:
        raise DisclosureError(" ".join(problems))
    with transaction.atomic():
        disclosure = Disclosure.objects.create(
            mission_id=by.mission_id, requested_by=by, recipient=recipient.strip(),
            recipient_reference=(recipient_reference or "").strip(), legal_basis=legal_basis.strip(),
            purpose=purpose.strip(), items=items)
        DisclosureIncident.objects.bulk_create(
            [DisclosureIncident(disclosure=disclosure, incident=readable[ref]) for ref in references])
        audit.record("disclosure.request", user=by, obj=disclosure, request=request,
                     detail={"incidents": references, "items": items, "version": disclosure.version})
        _notify_approvers(disclosure)
    return disclosure


def _notify_approvers(disclosure):
    """The SWPA decides a request, never one of their own: every other SWPA of the mission is told."""
    approvers = User.objects.filter(is_active=True, mission_id=disclosure.mission_id,
                                    role__in=access.DISCLOSURE_APPROVERS).exclude(pk=disclosure.requested_by_id)
    notify.notify(approvers, event_key=f"disclosure:{disclosure.pk}:requested",
                  url=reverse("disclosure_detail", args=[disclosure.pk]),
                  text=lambda: _("Disclosure request #%(id)s awaits your decision.") % {"id": disclosure.pk},
                  action=pgettext_lazy("notification action", "Approve or refuse the request"))


# ---- deciding


def _locked(disclosure, expected_version):
    stored = Disclosure.objects.select_for_update().get(pk=disclosure.pk)
    if stored.version != expected_version:
        raise EditConflict(_("Someone else acted on this request since you opened the page (it is now: "
                             "%(state)s). Read it again before deciding.") % {"state": stored.get_state_display()})
    return stored


def _need_state(stored, *states):
    if stored.state not in states:
        raise DisclosureError(_("This request is %(state)s: that step is not possible now.")
                              % {"state": stored.get_state_display()})


def _copy(source, target):
    for f in source._meta.concrete_fields:
        setattr(target, f.attname, getattr(source, f.attname))
    return target


def _consent_detail(checks):
    return {"included": sorted(v.victim.code for c in checks for v in c.victims if v.included),
            "left_out": {v.victim.code: v.reason for c in checks for v in c.victims if not v.included}}


def approve(disclosure, *, by, expected_version, note="", request=None):
    """REQUESTED -> APPROVED, by an SWPA who did not make the request, if a victim consents now."""
    if not access.can_approve_disclosures(by) or by.mission_id != disclosure.mission_id:
        raise PermissionDenied
    with transaction.atomic():
        stored = _locked(disclosure, expected_version)
        _need_state(stored, State.REQUESTED)
        if stored.requested_by_id == by.pk:
            raise DisclosureError(_("You made this request: another SWPA approves or refuses it."))
        checks = consent_check(stored, by)
        if not any(c.included for c in checks):
            raise DisclosureError(_("No victim in this request has a consent that covers sharing with a "
                                    "justice body: nothing could be sent. Refuse the request instead."))
        stored.state, stored.decided_by, stored.decided_at = State.APPROVED, by, timezone.now()
        stored.decision_reason = (note or "").strip()
        stored.version += 1
        stored.save(update_fields=["state", "decided_by", "decided_at", "decision_reason", "version"])
        audit.record("disclosure.approve", user=by, obj=stored, request=request,
                     detail={"version": stored.version, **summary_of(checks), **_consent_detail(checks)})
    return _copy(stored, disclosure)


def refuse(disclosure, *, by, expected_version, reason, request=None):
    """REQUESTED -> REFUSED, by an SWPA who did not make the request, with the reason."""
    if not access.can_approve_disclosures(by) or by.mission_id != disclosure.mission_id:
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise DisclosureError(_("Say why the request is refused."))
    with transaction.atomic():
        stored = _locked(disclosure, expected_version)
        _need_state(stored, State.REQUESTED)
        if stored.requested_by_id == by.pk:
            raise DisclosureError(_("You made this request: another SWPA approves or refuses it."))
        stored.state, stored.decided_by, stored.decided_at = State.REFUSED, by, timezone.now()
        stored.decision_reason = reason
        stored.version += 1
        stored.save(update_fields=["state", "decided_by", "decided_at", "decision_reason", "version"])
        audit.record("disclosure.refuse", user=by, obj=stored, request=request, detail={"version": stored.version})
    return _copy(stored, disclosure)


def cancel(disclosure, *, by, expected_version, reason, request=None):
    """REQUESTED or APPROVED -> CANCELLED (nothing was sent), by the requester or an SWPA."""
    if not can_send_or_cancel(by, disclosure):
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise DisclosureError(_("Say why the request is cancelled."))
    with transaction.atomic():
        stored = _locked(disclosure, expected_version)
        _need_state(stored, State.REQUESTED, State.APPROVED)
        stored.state, stored.cancelled_by, stored.cancelled_at = State.CANCELLED, by, timezone.now()
        stored.cancel_reason = reason
        stored.version += 1
        stored.save(update_fields=["state", "cancelled_by", "cancelled_at", "cancel_reason", "version"])
        audit.record("disclosure.cancel", user=by, obj=stored, request=request, detail={"version": stored.version})
    return _copy(stored, disclosure)


# ---- sending


def send(disclosure, *, by, expected_version, sent_on, channel, note="", request=None):
    """APPROVED -> SENT: check every victim's consent again, make the file of what the consents cover,
    store it encrypted with its checksum, and record when and how it went, in one transaction."""
    if not can_send_or_cancel(by, disclosure):
        raise PermissionDenied
    if channel not in SendChannel.values:
        raise DisclosureError(_("Say how the file goes to the body."))
    if sent_on is None or sent_on > timezone.localdate():
        raise DisclosureError(_("Give the date it is sent: today or earlier."))
    if channel == SendChannel.OTHER and not (note or "").strip():
        raise DisclosureError(_("Say in the note how the file goes to the body."))
    with transaction.atomic():
        stored = _locked(disclosure, expected_version)
        _need_state(stored, State.APPROVED)
        if sent_on < timezone.localdate(stored.decided_at):
            raise DisclosureError(_("The date sent cannot be before the approval."))
        checks = consent_check(stored, by)
        if not any(c.included for c in checks):
            raise DisclosureError(_("Since the approval, no victim's consent covers this disclosure any more "
                                    "(withdrawn, or the incident changed): nothing can be sent. Cancel the request."))
        now = timezone.now()
        stored.state, stored.sent_by, stored.sent_on, stored.sent_channel = State.SENT, by, sent_on, channel
        stored.sent_note, stored.recorded_sent_at = (note or "").strip(), now
        stored.version += 1
        data = as_xlsx(stored, checks, made_at=now)
        digest = checksum(data)
        stored.save(update_fields=["state", "sent_by", "sent_on", "sent_channel", "sent_note", "recorded_sent_at",
                                   "version"])
        DisclosureFile.objects.create(disclosure=stored, format=FileFormat.XLSX, sha256=digest, size=len(data),
                                      encrypted_content=encryption.fernet().encrypt(data))
        DisclosedVictim.objects.bulk_create([
            DisclosedVictim(disclosure=stored, incident=c.incident, victim_code=v.victim.code, included=v.included,
                            reason=v.reason)
            for c in checks for v in c.victims])
        audit.record("disclosure.send", user=by, obj=stored, request=request,
                     detail={"version": stored.version, "sha256": digest, "size": len(data), "channel": channel,
                             "sent_on": sent_on.isoformat(), **summary_of(checks), **_consent_detail(checks)})
        for check in checks:
            if check.included:
                # On the incident's own access log too: who let what of it go, and where the record is.
                audit.record("incident.disclose", user=by, obj=check.incident, request=request,
                             detail={"disclosure": stored.reference, "sha256": digest,
                                     "victims": sorted(v.victim.code for v in check.included_victims)})
    return _copy(stored, disclosure)


def stored_bytes(disclosure):
    """The file as sent: decrypted, and refused if it no longer matches its checksum."""
    stored = DisclosureFile.objects.get(disclosure=disclosure)
    data = encryption.fernet().decrypt(bytes(stored.encrypted_content))
    if checksum(data) != stored.sha256:
        raise DisclosureError(_("The stored file does not match its checksum. Do not use it; tell the system "
                                "administrator."))
    return data, stored


def download(disclosure, *, user, request=None):
    """(bytes, filename, content_type, sha256) of the file that was sent, audited with its checksum."""
    if not disclosures_of(user).filter(pk=disclosure.pk, state=State.SENT).exists():
        raise PermissionDenied
    data, stored = stored_bytes(disclosure)
    audit.record("disclosure.download", user=user, obj=disclosure, request=request,
                 detail={"sha256": stored.sha256, "size": len(data)})
    return data, f"{disclosure.reference}.{stored.format}", CONTENT_TYPES[stored.format], stored.sha256


# ---- the file


def _person(user):
    return (user.get_full_name() or user.username) if user else ""


def _when(value):
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    return value.isoformat() if value else ""


def _perpetrators(incident):
    parts = []
    for p in incident.perpetrators.all():
        who = f"{p.party.name} ({p.get_party_type_display()})" if p.party else str(p.get_party_type_display())
        parts.append(_("%(who)s, number: %(n)s, sex: %(sex)s") % {
            "who": who, "n": p.number if p.number is not None else _("unknown"), "sex": p.get_sex_display()})
    return "; ".join(parts)


def incident_columns(items):
    columns = [_("Incident reference"), _("Month of the incident"), _("Province")]
    if Item.SUMMARY in items:
        columns += [_("Summary"), _("Forms of CRSV"), _("Verification status"), _("Conflict nexus"), _("Type of site")]
    if Item.DATES_PLACE in items:
        columns += [_("Incident date"), _("Date precision"), _("End of range"), _("Date reported"), _("Territory"),
                    _("Place"), _("Exact coordinates")]
    if Item.PERPETRATORS in items:
        columns += [_("Alleged perpetrators")]
    if Item.NARRATIVE in items:
        columns += [_("Narrative")]
    return columns + [_("Victims in this file"), _("Victims of the incident"), _("Note")]


def incident_row(check, items):
    incident = check.incident
    whole = check.every_victim_consented
    withheld = _("Withheld: not every victim of this incident consented")
    row = [incident.reference, incident.incident_date.strftime("%Y-%m"), incident.admin1.name]
    if Item.SUMMARY in items:
        row += [incident.summary, "; ".join(str(f) for f in incident.forms.all()), incident.get_status_display(),
                incident.get_conflict_nexus_display(), incident.get_site_type_display()]
    if Item.DATES_PLACE in items:
        if whole:
            row += [_when(incident.incident_date), incident.get_incident_date_precision_display(),
                    _when(incident.incident_date_end), _when(incident.reported_date),
                    incident.admin2.name if incident.admin2 else "", incident.location.name, incident.coordinates]
        else:
            row += [withheld] * 7
    if Item.PERPETRATORS in items:
        row += [_perpetrators(incident)]
    if Item.NARRATIVE in items:
        row += [incident.narrative if whole else withheld]
    left_out = len(check.victims) - len(check.included_victims)
    note = (ngettext("%(n)d victim of this incident did not consent: nothing about them is in this file.",
                     "%(n)d victims of this incident did not consent: nothing about them is in this file.",
                     left_out) % {"n": left_out}) if left_out else ""
    return row + [len(check.included_victims), len(check.victims), note]


def victim_columns(items):
    columns = [_("Incident reference"), _("Victim code"), _("Consent given by"), _("Date of consent")]
    if Item.VICTIM_PROFILE in items:
        columns += [_("Sex"), _("Age in years"), _("Age group"), _("Displacement status"), _("Disability")]
    if Item.VICTIM_IDENTITY in items:
        columns += [_("Name"), _("Contact"), _("Already interviewed or referred by")]
    return columns


def victim_row(check, victim_check, items):
    victim, consent = victim_check.victim, victim_check.consent
    row = [check.incident.reference, victim.code, consent.get_given_by_display(), _when(consent.date)]
    if Item.VICTIM_PROFILE in items:
        row += [victim.get_sex_display(), victim.age_years, victim.get_age_group_display(),
                victim.get_displacement_display(), victim.get_disability_display()]
    if Item.VICTIM_IDENTITY in items:
        row += [victim.name, victim.contact, victim.previously_interviewed_by]
    return row


def about_rows(disclosure, checks, made_at):
    counts = summary_of(checks)
    return [
        [_("Disclosure of information on conflict-related sexual violence")],
        [_("Disclosure"), disclosure.reference],
        [_("Mission"), disclosure.mission.name],
        [pgettext("the body a disclosure goes to", "To"), disclosure.recipient],
        [_("Their reference"), disclosure.recipient_reference],
        [_("Legal basis"), disclosure.legal_basis],
        [_("Purpose"), disclosure.purpose],
        [_("Information asked for"), "; ".join(str(label) for label in item_labels(disclosure))],
        [_("Requested by"), f"{_person(disclosure.requested_by)}, {_when(disclosure.requested_at)}"],
        [_("Approved by"), f"{_person(disclosure.decided_by)}, {_when(disclosure.decided_at)}"],
        [_("File made"), _when(made_at)],
        [_("Incidents in this file"), counts["incidents_included"]],
        [_("Victims in this file"), counts["victims_included"]],
        [_("Consent"), _("Only victims who consented to sharing with a justice or accountability body are in this "
                         "file (for a child: the caregiver's consent or a best-interest decision), as checked when "
                         "the file was made. The narrative and the exact dates and place of an incident are given "
                         "only when every victim of that incident consented.")],
        [_("Confidential"), _("Strictly confidential. For the stated purpose only: do not pass it on, publish it or "
                              "contact a survivor without going through the mission's Senior Women Protection "
                              "Adviser.")],
    ]


def as_xlsx(disclosure, checks, *, made_at):
    """The file: an About sheet, one row per incident with a consenting victim, one row per consenting
    victim. Every text cell is neutralised (a summary or a name typed as a formula stays text)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    items = set(disclosure.items)
    included = [c for c in checks if c.included]
    book = Workbook()
    about = book.active
    about.title = _("About")[:31]
    sheets = [
        (about, None, about_rows(disclosure, checks, made_at)),
        (book.create_sheet(_("Incidents")[:31]), incident_columns(items), [incident_row(c, items) for c in included]),
        (book.create_sheet(_("Victims")[:31]), victim_columns(items),
         [victim_row(c, v, items) for c in included for v in c.included_victims]),
    ]
    for sheet, header, rows in sheets:
        if header:
            sheet.append([neutralise(str(h)) for h in header])
            for cell in sheet[1]:
                cell.font = Font(bold=True)
            sheet.freeze_panes = "B2"
        for row in rows:
            sheet.append([neutralise(v) for v in row])
    about.column_dimensions["A"].width = 24
    about.column_dimensions["B"].width = 100
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
