"""The first-login tour: a few steps per role (what the role does here, where to start, what it
must never do), shown once on the home page and again from the help page.

Each step's link is a page the role can open (tests/crsv_mis/test_first_login_tour.py opens every
one as that role), so the tour never points where the person would get a 403 or a 404.
"""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Role, User

NEVER = _("What you must never do")

_OFFICER = [
    (_("What you do here"),
     _("You record CRSV incidents for your duty stations, answer their alerts and follow survivors' referrals. "
       "You read the full records of your stations only; every view is recorded."), None),
    (_("Start here"),
     _("Record an incident: one page, with guidance under each field. It is saved as a draft while you "
       "type, so a dropped connection loses nothing."), "incident_create"),
    (_("Your records"),
     _("Your stations' incidents, with survivor details. Open one to refer a survivor or record consent."),
     "incident_list"),
    (_("Alerts"), _("Acknowledge your station's early-warning alerts and record the response taken."),
     "alert_list"),
    (_("Referrals"), _("Referrals you made, their deadlines (PEP within 72 hours) and follow-ups."),
     "referral_list"),
    (NEVER,
     _("Never put a name or a village in the summary, never tick a consent the survivor did not give, and "
       "never copy survivor information into e-mail, chat or spreadsheets."), "guide_consent"),
]

STEPS = {
    Role.WPA: _OFFICER,
    Role.HRO: _OFFICER,
    Role.SWPA: [
        (_("What you do here"),
         _("You oversee every incident of the mission, see who viewed each record, import incident "
           "matrices and decide disclosures to outside bodies."), None),
        (_("Start here"), _("The mission's incidents, archived ones included, each with its access log."),
         "incident_list"),
        (_("The MARA"), _("The review queue, meetings and the monthly analysis, which you co-chair."),
         "mara_home"),
        (_("Reports"), _("Generate, approve and release the quarterly summary for leadership."), "report_list"),
        (_("Disclosures"), _("Requests to disclose to a justice body: you approve them, never your own."),
         "disclosure_list"),
        (_("Role requests"), _("Roles that read survivor data, asked for by the administrator: you approve them, "
                               "never your own."), "role_requests"),
        (NEVER,
         _("Never let identifying data leave the human rights compartment, and never approve a disclosure that "
           "the survivor's consent does not cover."), "guide_consent"),
    ],
    Role.MARA_CHAIR: [
        (_("What you do here"),
         _("You chair the MARA working group: review the month's de-identified incidents, decide verification "
           "and endorse the monthly analysis."), None),
        (_("Start here"), _("Overdue action points, this month's analysis and open recommendations."),
         "mara_home"),
        (_("Review queue"), _("Incidents waiting for a verification decision, with a standard and a rationale."),
         "mara_review"),
        (_("Trends"), _("Counts by form, place, perpetrator and women, men, girls and boys."), "mara_dashboard"),
        (NEVER,
         _("Never try to find out who a survivor is, and never verify an incident without a written "
           "rationale."), "guide_crsv"),
    ],
    Role.MARA_MEMBER: [
        (_("What you do here"),
         _("You review the month's de-identified incidents and trends with the MARA working group; the chair "
           "may designate you to decide verification."), None),
        (_("Start here"), _("Overdue action points, this month's analysis and open recommendations."),
         "mara_home"),
        (_("Review queue"), _("Incidents reported or under verification, de-identified."), "mara_review"),
        (_("Trends"), _("Counts by form, place, perpetrator and women, men, girls and boys."), "mara_dashboard"),
        (NEVER,
         _("Never try to find out who a survivor is, and never take figures out of the MARA room before "
           "they are released."), "guide_crsv"),
    ],
    Role.REFERRAL_FOCAL_POINT: [
        (_("What you do here"),
         _("You receive the referrals sent to your organisation and record what service was provided."), None),
        (_("Start here"), _("The referrals assigned to you, with their deadlines."), "referral_list"),
        (NEVER,
         _("Never ask the survivor to tell again what happened, and never pass referral details to anyone "
           "outside the service."), None),
    ],
    Role.LEADERSHIP: [
        (_("What you do here"),
         _("You read the mission's CRSV figures: released quarterly reports and trends, never case records."),
         None),
        (_("Start here"), _("Released quarterly reports, as PDF, spreadsheet or CSV."), "report_released"),
        (_("Trends"), _("The quarter's counts, with small numbers shown as \"<5\"."), "mara_dashboard"),
        (_("Alerts"), _("How fast early-warning alerts are acknowledged and answered."), "alert_response_times"),
        (NEVER,
         _("Never ask for names or case details: CRSV is heavily under-reported and the figures are "
           "minimums, not a reason to identify anyone."), None),
    ],
    Role.FIELD_REPORTER: [
        (_("What you do here"),
         _("You report early-warning alerts and basic incident reports. Once sent, you do not read them back."),
         None),
        (_("Start here"), _("Report an alert: under a minute, routed at once to the human rights focal point."),
         "alert_create"),
        (_("Record an incident"), _("A basic incident report, with guidance under each field."), "incident_create"),
        (_("Drafts"), _("An incident report you started and did not send is kept here, for you only."),
         "intake_drafts"),
        (NEVER,
         _("Never keep names, photos or notes about a survivor on your phone or in messages, and never "
           "question a survivor yourself: report, and let the specialists follow up."), "guide_crsv"),
    ],
    Role.ADMIN: [
        (_("What you do here"),
         _("You manage accounts, duty stations and reference lists. You read no survivor data."), None),
        (_("Start here"), _("Users, duty stations, the gazetteer and the parties."), "admin:index"),
        (_("Archive"), _("Ask to archive an incident by its reference, with a reason, without reading it; "
                         "the SWPA confirms."),
         "incident_archive"),
        (NEVER,
         _("Never create an account for host-state police, military or justice, and never give a role more "
           "access than the work needs."), None),
    ],
    Role.AUDITOR: [
        (_("What you do here"),
         _("You check who read, changed, exported or downloaded records, in the hash-chained audit trail. "
           "You read no survivor data."), None),
        (_("Start here"),
         _("The audit trail: filter by person, role, action, record or date, and export what you find as CSV. "
           "Your own readings and exports are recorded too."), "audit_trail"),
        (_("The chain"),
         _("The system team runs verify_audit_chain for you: it reports any event removed or edited."), None),
        (NEVER,
         _("Never ask for the content of a record to judge an event: who, when, what and why are enough."),
         None),
    ],
}


def steps_for(user):
    """The tour of the person's role, as [{"title", "text", "url"}] (url may be None)."""
    return [{"title": title, "text": text, "url": reverse(name) if name else None}
            for title, text, name in STEPS.get(user.role, [])]


def first_visit(user):
    """The tour on the person's first visit to the home page, and never again by itself (the help
    page shows it on demand). Marked seen with an UPDATE so two tabs cannot both show it."""
    if user.tour_seen_at is not None:
        return None
    if not User.objects.filter(pk=user.pk, tour_seen_at__isnull=True).update(tour_seen_at=timezone.now()):
        return None
    return steps_for(user)
