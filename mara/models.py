"""The MARA working group's records: verification, meetings, monthly analysis, recommendations,
commitments by parties."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from crsv_mis.encryption import EncryptedTextField
from crsv_mis.models import Mission
from incidents.models import Incident, Party

DEFAULT_STANDARD = "Reasonable grounds to believe"


class VerificationDecision(models.Model):
    """One step in an incident's verification history. Rows are never changed or deleted;
    a revision is a new row pointing at the decision it revises."""

    mission_path = "incident__mission"

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="verification_history")
    from_status = models.CharField(max_length=24)
    to_status = models.CharField(max_length=24)
    standard = models.CharField(_("standard of proof"), max_length=200, blank=True)
    rationale = EncryptedTextField(_("rationale"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)
    revises = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="revisions")

    class Meta:
        ordering = ["incident", "decided_at", "id"]

    def __str__(self):
        return f"{self.incident_id}: {self.from_status} -> {self.to_status}"


class VerifierDesignation(models.Model):
    """The MARA chair designates a member who may record verification decisions."""

    mission_path = "mission"

    mission = models.ForeignKey(Mission, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="verifier_designations")
    designated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    designated_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-designated_at"]

    def __str__(self):
        return f"{self.user} (designated by {self.designated_by})"


class MeetingFormat(models.TextChoices):
    IN_PERSON = "IN_PERSON", _("In person")
    REMOTE = "REMOTE", _("Remote")
    HYBRID = "HYBRID", _("Hybrid")


class Meeting(models.Model):
    mission_path = "mission"

    mission = models.ForeignKey(Mission, on_delete=models.PROTECT, related_name="mara_meetings")
    date = models.DateField(_("date"))
    format = models.CharField(_("format"), max_length=12, choices=MeetingFormat.choices)
    agenda = EncryptedTextField(_("agenda"), blank=True)
    decisions = EncryptedTextField(_("decisions"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]

    def __str__(self):
        return f"MARA meeting {self.date:%Y-%m-%d}"


class AttendeeSex(models.TextChoices):
    FEMALE = "FEMALE", _("Female")
    MALE = "MALE", _("Male")
    OTHER = "OTHER", _("Other")
    UNKNOWN = "UNKNOWN", _("Not recorded")


class MeetingAttendee(models.Model):
    """A participant: a user of the system or a person from an external organisation."""

    mission_path = "meeting__mission"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendees")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                             related_name="+")
    organisation = models.CharField(_("organisation"), max_length=200)
    sex = models.CharField(_("sex"), max_length=8, choices=AttendeeSex.choices, default=AttendeeSex.UNKNOWN)

    class Meta:
        ordering = ["organisation", "id"]

    def __str__(self):
        return f"{self.user or self.organisation}"


class ActionStatus(models.TextChoices):
    # An action point (un point d'action) is masculine in French; a recommendation is feminine.
    OPEN = "OPEN", pgettext_lazy("action point status", "Open")
    IN_PROGRESS = "IN_PROGRESS", _("In progress")
    DONE = "DONE", pgettext_lazy("action point status", "Done")
    DROPPED = "DROPPED", _("Dropped")


class ActionPoint(models.Model):
    mission_path = "meeting__mission"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="action_points")
    description = EncryptedTextField(_("action"))
    owner = models.CharField(_("owner"), max_length=200)
    forum = models.CharField(_("forum"), max_length=200, blank=True,
                             help_text=_("e.g. Protection Working Group, senior management group"))
    due_date = models.DateField(_("due date"))
    status = models.CharField(_("status"), max_length=12, choices=ActionStatus.choices, default=ActionStatus.OPEN)
    # `owner` names who acts, in words (an agency, a section); this is the mission officer who follows
    # it up in the system, told when it is due and listed in their duty station's handover.
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("officer following it up"))

    class Meta:
        ordering = ["due_date", "id"]

    def __str__(self):
        return self.description[:60]

    @property
    def overdue(self):
        return self.status in (ActionStatus.OPEN, ActionStatus.IN_PROGRESS) and self.due_date < timezone.localdate()


class AnalysisStatus(models.TextChoices):
    DRAFT = "DRAFT", _("Draft")
    ENDORSED = "ENDORSED", _("Endorsed")
    SUPERSEDED = "SUPERSEDED", _("Superseded by a later revision")


class MonthlyAnalysis(models.Model):
    """The month's narrative beside its figures. Endorsement freezes a snapshot of the figures;
    reopening an endorsed analysis makes a new revision and keeps the old one."""

    mission_path = "mission"

    mission = models.ForeignKey(Mission, on_delete=models.PROTECT, related_name="+")
    month = models.DateField(_("month"), help_text=_("First day of the month."))
    revision = models.PositiveIntegerField(default=1)
    status = models.CharField(max_length=12, choices=AnalysisStatus.choices, default=AnalysisStatus.DRAFT)
    patterns = models.TextField(_("patterns and trends"), blank=True)
    hotspots = models.TextField(_("hotspots"), blank=True)
    perpetrators = models.TextField(_("perpetrators"), blank=True)
    response_gaps = models.TextField(_("response gaps"), blank=True)
    recommendations = models.TextField(_("recommendations"), blank=True)
    figures_snapshot = models.JSONField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    endorsed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    endorsed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    # Why the endorsed revision was reopened into this one: typed text, so encrypted (and kept out of
    # the audit trail, which records the reopening by ids).
    reopen_reason = EncryptedTextField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-month", "-revision"]
        constraints = [
            models.UniqueConstraint(fields=["mission", "month", "revision"], name="analysis_revision_unique")
        ]

    def __str__(self):
        return f"Analysis {self.month:%Y-%m} r{self.revision}"


class RecommendationStatus(models.TextChoices):
    OPEN = "OPEN", _("Open")
    IN_PROGRESS = "IN_PROGRESS", _("In progress")
    CLOSED = "CLOSED", _("Closed")


class Recommendation(models.Model):
    mission_path = "mission"

    mission = models.ForeignKey(Mission, on_delete=models.PROTECT, related_name="+")
    analysis = models.ForeignKey(MonthlyAnalysis, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="tracked_recommendations")
    text = models.TextField(_("recommendation"))
    owner = models.CharField(_("owner"), max_length=200)
    forum = models.CharField(_("forum"), max_length=200, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(max_length=12, choices=RecommendationStatus.choices, default=RecommendationStatus.OPEN)
    closed_at = models.DateField(null=True, blank=True)
    closing_note = models.TextField(_("how it was closed"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["status", "due_date", "id"]

    def __str__(self):
        return self.text[:60]


class CommitmentKind(models.TextChoices):
    JOINT_COMMUNIQUE = "JOINT_COMMUNIQUE", _("Joint communiqué")
    UNILATERAL_COMMUNIQUE = "UNILATERAL_COMMUNIQUE", _("Unilateral communiqué")
    ACTION_PLAN = "ACTION_PLAN", _("Action plan")
    COMMAND_ORDER = "COMMAND_ORDER", _("Command order")


class CommitmentStatus(models.TextChoices):
    DRAFT = "DRAFT", _("Draft")
    PENDING_ENDORSEMENT = "PENDING_ENDORSEMENT", _("Pending endorsement")
    ADOPTED = "ADOPTED", _("Adopted")
    IMPLEMENTING = "IMPLEMENTING", _("Implementing")
    LAPSED = "LAPSED", _("Lapsed")


class Commitment(models.Model):
    mission_path = "party__mission"

    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="commitments")
    kind = models.CharField(_("type"), max_length=24, choices=CommitmentKind.choices)
    title = models.CharField(_("title"), max_length=300)
    date_signed = models.DateField(_("date signed"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=24, choices=CommitmentStatus.choices,
                              default=CommitmentStatus.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["party__name", "-date_signed", "id"]

    def __str__(self):
        return self.title


class CommitmentReview(models.Model):
    """A dated implementation review of a commitment."""

    mission_path = "commitment__party__mission"

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="reviews")
    date = models.DateField(_("date"))
    note = models.TextField(_("note"))
    status_after = models.CharField(max_length=24, choices=CommitmentStatus.choices, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-date", "-id"]

    def __str__(self):
        return f"{self.commitment} {self.date:%Y-%m-%d}"
