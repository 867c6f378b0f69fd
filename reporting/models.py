"""The rollup of counts that dashboards and reports read, and the quarterly reports.

Rollup: `RollupCell` holds, per mission, month of the incident date, information-sharing flag, MARA
sharing flag, verification status, dimension and key, the number of incidents and of victims. Cells add up over
months, statuses and the flags (each incident has exactly one of each), never over keys (an incident
with two forms counts under both). `StaleMonth` rows say a month must be recounted; `RollupMonth`
is the lock and the record of the last recount (reporting/rollup.py explains the protocol).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from crsv_mis.encryption import EncryptedBinaryField, EncryptedTextField
from crsv_mis.models import Mission


class StaleMonth(models.Model):
    """A month whose cells may be wrong: written in the transaction of the change that caused it."""

    mission_path = "mission"

    mission = models.ForeignKey(Mission, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    marked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["mission", "month"], name="reporting_stale_month")]

    def __str__(self):
        return f"stale {self.month:%Y-%m}"


class RollupMonth(models.Model):
    mission_path = "mission"

    mission = models.ForeignKey(Mission, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    refreshed_at = models.DateTimeField(null=True)
    incidents = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(default=0, help_text="How long the last recount took.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["mission", "month"], name="reporting_rollup_month_once")]

    def __str__(self):
        return f"rollup {self.month:%Y-%m}"


class RollupCell(models.Model):
    mission_path = "mission"

    mission = models.ForeignKey(Mission, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    shared_under_isp = models.BooleanField()
    # The incidents' own flag (access.MARA_SHARE filters cells as it filters records): the MARA room
    # sums only the cells of records it may read.
    mara_shareable = models.BooleanField(default=False)
    status = models.CharField(max_length=24)
    dimension = models.CharField(max_length=24)
    # "" when nothing was recorded (no territory, no named party); compound keys are "a|b".
    key = models.CharField(max_length=80, blank=True)
    # Names of places and parties as they were at the recount; coded keys are labelled when read.
    label = models.CharField(max_length=200, blank=True)
    incidents = models.PositiveIntegerField()
    victims = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["mission", "dimension", "month"], name="reporting_cell_lookup")]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.dimension}={self.key}"


# ---- quarterly reports


class ReportStatus(models.TextChoices):
    DRAFT = "DRAFT", _("Draft")
    APPROVED = "APPROVED", _("Approved")
    RELEASED = "RELEASED", _("Released")
    SUPERSEDED = "SUPERSEDED", _("Superseded")


class QuarterlyReport(models.Model):
    """One version of a mission's report for one quarter. Figures are frozen when the version is
    generated; the narrative is edited while it is a draft; a released version never changes."""

    mission_path = "mission"

    mission = models.ForeignKey(Mission, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    quarter = models.PositiveSmallIntegerField()
    version = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=12, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    figures = models.JSONField()
    generated_at = models.DateTimeField(auto_now_add=True)
    generated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", help_text="Empty for the automatic draft.")
    key_messages = models.TextField(_("key messages"), blank=True)
    analysis = models.TextField(_("analysis of trends and patterns"), blank=True)
    response = models.TextField(_("response and way forward"), blank=True)
    edit_version = models.PositiveIntegerField(default=1)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    released_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    released_at = models.DateTimeField(null=True, blank=True)
    # Why an approved version went back to draft: typed text, so encrypted (and kept out of the audit
    # trail, which records the return by ids).
    return_reason = EncryptedTextField(null=True, blank=True, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["mission", "year", "quarter", "version"],
                                    name="reporting_report_version_once"),
            models.CheckConstraint(condition=models.Q(quarter__gte=1, quarter__lte=4),
                                   name="reporting_report_quarter_1_4"),
        ]
        ordering = ["-year", "-quarter", "-version"]

    def __str__(self):
        return f"{self.year} Q{self.quarter} v{self.version}"

    @property
    def is_released(self):
        return self.status == ReportStatus.RELEASED


class Edition(models.TextChoices):
    # The MARA room reads every count; anything else leaves it and passes small-cell suppression.
    MARA_ROOM = "MARA_ROOM", _("MARA room (full counts)")
    EXTERNAL = "EXTERNAL", _("Outside the MARA room (small cells suppressed)")


class FileFormat(models.TextChoices):
    PDF = "pdf", "PDF"
    XLSX = "xlsx", "XLSX"
    CSV = "csv", "CSV"


class ReportFile(models.Model):
    """A released version's files, written once at release so that every download of it is the
    same bytes, with the same checksum."""

    mission_path = "report__mission"

    report = models.ForeignKey(QuarterlyReport, on_delete=models.PROTECT, related_name="files")
    edition = models.CharField(max_length=12, choices=Edition.choices)
    format = models.CharField(max_length=4, choices=FileFormat.choices)
    # Each file is written in every language the product ships, so that a reader gets the released
    # bytes in their own language. Files released before there was a choice are English.
    language = models.CharField(max_length=8, choices=settings.LANGUAGES, default="en")
    content = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["report", "edition", "format", "language"],
                                               name="reporting_file_once_per_language")]

    def __str__(self):
        return f"{self.report} {self.edition}.{self.format} ({self.language})"


class JobState(models.TextChoices):
    QUEUED = "QUEUED", _("Waiting to start")
    RUNNING = "RUNNING", _("Building")
    DONE = "DONE", _("Done")
    FAILED = "FAILED", _("Failed")


class ReportJob(models.Model):
    """One request to generate a report version, followed on the page while Celery builds it. The
    job makes at most one version, however often its task is retried."""

    mission_path = "mission"

    mission = models.ForeignKey(Mission, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    quarter = models.PositiveSmallIntegerField()
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    state = models.CharField(max_length=8, choices=JobState.choices, default=JobState.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    step = models.CharField(max_length=200, blank=True)
    report = models.OneToOneField(QuarterlyReport, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="job")
    error = models.CharField(max_length=500, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"job {self.pk}: {self.year} Q{self.quarter} {self.state}"


# ---- disclosures to outside bodies (reporting/disclosures.py holds the rules)


class DisclosureState(models.TextChoices):
    REQUESTED = "REQUESTED", _("Requested, waiting for the SWPA")
    APPROVED = "APPROVED", _("Approved, not sent yet")
    REFUSED = "REFUSED", _("Refused")
    SENT = "SENT", _("Sent")
    CANCELLED = "CANCELLED", _("Cancelled")


class DisclosureItem(models.TextChoices):
    """What a request asks for, in groups of fields. The incident reference, month and province
    always go with a line; everything else only when asked (and, for survivors, consented)."""

    SUMMARY = "SUMMARY", _("De-identified summary, forms of CRSV, verification status, conflict nexus, site type")
    DATES_PLACE = "DATES_PLACE", _("Exact dates and place (locality and coordinates)")
    PERPETRATORS = "PERPETRATORS", _("Alleged perpetrators (type, party, number, sex)")
    NARRATIVE = "NARRATIVE", _("Narrative")
    VICTIM_PROFILE = "VICTIM_PROFILE", _("Victim profile (sex, age, displacement, disability)")
    VICTIM_IDENTITY = "VICTIM_IDENTITY", _("Victim identity and contact (name, contact, already interviewed by)")


class SendChannel(models.TextChoices):
    HAND = "HAND", _("Handed over in person (encrypted storage device)")
    SECURE_TRANSFER = "SECURE_TRANSFER", _("Secure file transfer")
    ENCRYPTED_EMAIL = "ENCRYPTED_EMAIL", _("Encrypted e-mail")
    OTHER = "OTHER", _("Other (say how in the note)")


class Disclosure(models.Model):
    """A recorded request to disclose incident information to an outside body (a prosecutor, a
    commission of inquiry), its decision by the SWPA, and what was sent. Rows are never deleted and a
    decided or sent one never changes (migration 0005)."""

    mission_path = "mission"

    mission = models.ForeignKey(Mission, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=12, choices=DisclosureState.choices, default=DisclosureState.REQUESTED)
    # Every change of state adds one: a decision taken on a page read before another one is refused.
    version = models.PositiveIntegerField(default=1)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    recipient = models.CharField(_("body it goes to"), max_length=200)
    recipient_reference = models.CharField(_("the body's reference for its request"), max_length=100, blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=300)
    # Free text typed about a case may name people: encrypted like the narrative.
    purpose = EncryptedTextField(_("why it is asked (purpose)"))
    items = models.JSONField(default=list, help_text="DisclosureItem codes asked for.")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = EncryptedTextField(blank=True)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+")
    sent_on = models.DateField(null=True, blank=True)
    sent_channel = models.CharField(max_length=16, choices=SendChannel.choices, blank=True)
    sent_note = EncryptedTextField(blank=True)
    recorded_sent_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = EncryptedTextField(blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["mission", "state"], name="reporting_disclosure_state")]

    def __str__(self):
        return self.reference

    @property
    def reference(self):
        return f"DSC-{self.pk:05d}" if self.pk else "DSC-new"


class DisclosureIncident(models.Model):
    """An incident a request asks about. Fixed when the request is made (migration 0005)."""

    mission_path = "disclosure__mission"

    disclosure = models.ForeignKey(Disclosure, on_delete=models.PROTECT, related_name="lines")
    incident = models.ForeignKey("incidents.Incident", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["disclosure", "incident"],
                                               name="reporting_disclosure_incident_once")]

    def __str__(self):
        return f"{self.disclosure} {self.incident}"


class DisclosedVictim(models.Model):
    """The consent check of one victim at the moment the file was made: in the file or not, and why.
    The victim is kept by their pseudonymous code, not a foreign key: an edit of the incident may
    remove a victim row, and the record of what was sent must outlive it (and must not block the edit)."""

    mission_path = "disclosure__mission"

    disclosure = models.ForeignKey(Disclosure, on_delete=models.PROTECT, related_name="victim_checks")
    incident = models.ForeignKey("incidents.Incident", on_delete=models.PROTECT, related_name="+")
    victim_code = models.CharField(max_length=16)
    included = models.BooleanField()
    reason = models.CharField(max_length=32)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["disclosure", "victim_code"],
                                               name="reporting_disclosed_victim_once")]

    def __str__(self):
        return f"{self.disclosure} {self.victim_code} {'in' if self.included else 'out'}"


class DisclosureFile(models.Model):
    """What was sent, stored once when the disclosure is recorded as sent. It may hold names and
    contacts, so the bytes are encrypted at rest (Fernet, FIELD_ENCRYPTION_KEYS); `sha256` is the
    checksum of the file as sent (the clear bytes), checked again on every download."""

    mission_path = "disclosure__mission"

    disclosure = models.OneToOneField(Disclosure, on_delete=models.PROTECT, related_name="file")
    format = models.CharField(max_length=4, choices=FileFormat.choices)
    encrypted_content = EncryptedBinaryField()
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.disclosure}.{self.format}"
