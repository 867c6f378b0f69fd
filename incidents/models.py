import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from crsv_mis.encryption import EncryptedTextField
from crsv_mis.models import DutyStation, Location, Mission

from .choices import (
    AgeGroup,
    ConflictNexus,
    ConsentGivenBy,
    ConsentKind,
    Credibility,
    CrsvFormCode,
    DatePrecision,
    Disability,
    Displacement,
    PartyType,
    PerpetratorSex,
    Reliability,
    Sex,
    SiteType,
    SourceType,
    VerificationStatus,
    VictimGroup,
    age_group_for,
)


class Party(models.Model):
    """A named force or group alleged to have committed CRSV."""

    mission_path = "mission"

    mission = models.ForeignKey(Mission, on_delete=models.PROTECT, related_name="parties")
    name = models.CharField(max_length=200)
    party_type = models.CharField(max_length=32, choices=PartyType.choices)
    listed_in_sg_annex = models.BooleanField(
        default=False, help_text=_("Listed in the annex of the Secretary-General's annual report on CRSV.")
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["mission", "name"], name="party_name_unique_in_mission")]
        verbose_name_plural = "parties"

    def __str__(self):
        return self.name


class PartyAlias(models.Model):
    mission_path = "party__mission"

    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["party", "name"], name="party_alias_unique")]
        verbose_name_plural = "party aliases"

    def __str__(self):
        return self.name


class FormOfViolence(models.Model):
    """Reference list of forms of CRSV (codes from docs/domain.md), so incidents can hold several."""

    # Holds no mission's data: the fixed list of forms of violence, the same for every mission.
    mission_path = None

    code = models.CharField(max_length=32, primary_key=True, choices=CrsvFormCode.choices)

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "forms of violence"

    def __str__(self):
        return str(self.get_code_display())


class ReferenceCounter(models.Model):
    """Last sequence number used per mission and year; locked while a reference is taken."""

    mission_path = "mission"

    mission = models.ForeignKey(Mission, on_delete=models.CASCADE)
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["mission", "year"], name="reference_counter_unique")]

    def __str__(self):
        return f"{self.mission_id}-{self.year}: {self.last}"


class IncidentQuerySet(models.QuerySet):
    def active(self):
        return self.filter(archived_at__isnull=True)


class Incident(models.Model):
    mission_path = "mission"

    mission = models.ForeignKey(Mission, on_delete=models.PROTECT, related_name="incidents")
    duty_station = models.ForeignKey(DutyStation, on_delete=models.PROTECT, related_name="incidents",
                                     verbose_name=_("duty station"))
    reference = models.CharField(max_length=32, unique=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The officer who follows the incident through verification: the recorder until a handover
    # (lifecycle.handover) gives it to someone else. Not part of the record's content, so changing it
    # does not bump `version`.
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", editable=False, verbose_name=_("officer in charge"))

    incident_date = models.DateField(_("incident date (or start of range)"))
    incident_date_precision = models.CharField(
        _("date precision"), max_length=8, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    incident_date_end = models.DateField(_("end of range"), null=True, blank=True)
    reported_date = models.DateField(_("date reported"))

    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+", verbose_name=_("location"))
    # Copies of the location's ancestors: de-identified views and counts use these.
    admin1 = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+", editable=False)
    admin2 = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+", null=True, editable=False)
    coordinates = EncryptedTextField(_("exact coordinates"), blank=True)
    site_type = models.CharField(_("site type"), max_length=32, choices=SiteType.choices)

    forms = models.ManyToManyField(FormOfViolence, related_name="incidents", verbose_name=_("forms of CRSV"))
    conflict_nexus = models.CharField(_("conflict nexus"), max_length=32, choices=ConflictNexus.choices)

    source_type = models.CharField(_("source of information"), max_length=32, choices=SourceType.choices)
    source_sex = models.CharField(_("sex of the source"), max_length=8, choices=Sex.choices)
    source_reliability = models.CharField(_("reliability of the source"), max_length=1, choices=Reliability.choices)
    source_credibility = models.CharField(
        _("credibility of the information"), max_length=1, choices=Credibility.choices
    )
    shared_under_isp = models.BooleanField(
        _("received under an information-sharing protocol"), default=False,
        help_text=_("Information from a humanitarian partner under a protocol stays with human rights staff."),
    )

    narrative = EncryptedTextField(_("narrative"), blank=True)
    summary = models.TextField(_("de-identified summary"), max_length=1000)

    status = models.CharField(
        max_length=24, choices=VerificationStatus.choices, default=VerificationStatus.REPORTED, db_index=True
    )
    # True when every victim consented to de-identified sharing with the MARA (kept by services).
    mara_shareable = models.BooleanField(default=False, editable=False)
    # Kept by services with the victims: lists and monthly victim counts read it without a join.
    victim_count = models.PositiveSmallIntegerField(default=0, editable=False)

    # Set by retention (lifecycle) when identifying fields were destroyed: the record is closed to edits.
    anonymised_at = models.DateTimeField(null=True, blank=True, editable=False)

    archived_at = models.DateTimeField(null=True, blank=True, editable=False)
    archived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    # Typed by a person: it can name one, so it is encrypted like the narrative.
    archive_reason = EncryptedTextField(blank=True, editable=False)

    # Set on incidents that came from a file: which import, and the spreadsheet row (the first row
    # of the incident, counting the header as row 1) they were read from.
    source_import = models.ForeignKey("IncidentImport", on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="incidents", editable=False)
    source_row = models.PositiveIntegerField(null=True, blank=True, editable=False)

    objects = IncidentQuerySet.as_manager()

    class Meta:
        ordering = ["-reported_date", "-id"]
        indexes = [
            models.Index(fields=["mission", "-reported_date", "-id"], name="incident_mission_reported"),
            models.Index(fields=["duty_station", "-reported_date", "-id"], name="incident_station_reported"),
            # Partial indexes matching the scoping filters, so an officer's or the MARA's
            # page count reads an index, not every visible row.
            models.Index(fields=["duty_station", "mission"], condition=models.Q(archived_at__isnull=True),
                         name="incident_active_station"),
            models.Index(fields=["mission", "-reported_date", "-id"], name="incident_mara_visible",
                         condition=models.Q(archived_at__isnull=True, mara_shareable=True, shared_under_isp=False)),
            models.Index(fields=["incident_date"], name="incident_date_idx"),
            # Monthly figures scan active incidents by date; the included columns let PostgreSQL
            # answer the group-bys from the index alone.
            models.Index(fields=["mission", "incident_date"], name="incident_active_by_date",
                         include=["shared_under_isp", "admin1", "admin2", "status", "site_type", "victim_count"],
                         condition=models.Q(archived_at__isnull=True)),
        ]

    def __str__(self):
        return self.reference

    def save(self, *args, **kwargs):
        self.admin1_id = self.location.admin1_id
        self.admin2_id = self.location.admin2_id
        if self.assigned_to_id is None:
            self.assigned_to_id = self.created_by_id
        super().save(*args, **kwargs)


class ArchiveRequestState(models.TextChoices):
    PENDING = "PENDING", _("Awaiting the SWPA")
    CONFIRMED = "CONFIRMED", _("Archived")
    DECLINED = "DECLINED", _("Declined")


class ArchiveRequest(models.Model):
    """An administrator's request to archive an incident, which they name by reference without
    reading it. The incident stays in every list and count until an SWPA of the mission confirms."""

    mission_path = "incident__mission"

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="archive_requests")
    reason = EncryptedTextField()  # typed by the administrator: it can name a person
    state = models.CharField(max_length=16, choices=ArchiveRequestState.choices,
                             default=ArchiveRequestState.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["requested_at", "id"]
        constraints = [models.UniqueConstraint(fields=["incident"], condition=models.Q(state="PENDING"),
                                               name="one_pending_archive_request")]

    def __str__(self):
        return f"{self.incident} ({self.state})"


def new_victim_code():
    # Pseudonymous and not derivable from the incident: 8 characters without look-alikes.
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "SV-" + "".join(secrets.choice(alphabet) for _ in range(8))


class Victim(models.Model):
    mission_path = "incident__mission"

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="victims")
    code = models.CharField(max_length=16, unique=True, default=new_victim_code, editable=False)
    sex = models.CharField(_("sex"), max_length=8, choices=Sex.choices)
    age_years = models.PositiveSmallIntegerField(_("age in years"), null=True, blank=True)
    age_group = models.CharField(_("age group"), max_length=8, choices=AgeGroup.choices, default=AgeGroup.UNKNOWN)
    victim_group = models.CharField(max_length=8, choices=VictimGroup.choices, editable=False)
    displacement = models.CharField(
        _("displacement status"), max_length=12, choices=Displacement.choices, default=Displacement.UNKNOWN
    )
    disability = models.CharField(_("disability"), max_length=8, choices=Disability.choices, default=Disability.UNKNOWN)
    name = EncryptedTextField(_("name"), blank=True)
    contact = EncryptedTextField(_("contact"), blank=True)
    previously_interviewed_by = EncryptedTextField(_("already interviewed or referred by"), blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["incident", "victim_group"], name="victim_incident_group")]

    def __str__(self):
        return self.code

    def save(self, *args, **kwargs):
        if self.age_years is not None:
            self.age_group = age_group_for(self.age_years)
        self.victim_group = victim_group_of(self.sex, self.age_group)
        super().save(*args, **kwargs)

    @property
    def is_child(self):
        return self.age_group in {"0-4", "5-11", "12-17"}


def victim_group_of(sex, age_group):
    if age_group == AgeGroup.UNKNOWN or sex not in (Sex.FEMALE, Sex.MALE):
        return VictimGroup.UNKNOWN
    child = age_group in {"0-4", "5-11", "12-17"}
    if sex == Sex.FEMALE:
        return VictimGroup.GIRLS if child else VictimGroup.WOMEN
    return VictimGroup.BOYS if child else VictimGroup.MEN


class Consent(models.Model):
    """One use the survivor (or, for a child, the caregiver or a best-interest decision) agreed to."""

    mission_path = "victim__incident__mission"

    victim = models.ForeignKey(Victim, on_delete=models.CASCADE, related_name="consents")
    kind = models.CharField(max_length=20, choices=ConsentKind.choices)
    given = models.BooleanField(default=False)
    given_by = models.CharField(max_length=16, choices=ConsentGivenBy.choices, default=ConsentGivenBy.SURVIVOR)
    decided_by = EncryptedTextField(blank=True, help_text=_("For a child: who decided, and in what capacity."))
    date = models.DateField()
    taken_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    withdrawn_at = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["kind"]
        constraints = [models.UniqueConstraint(fields=["victim", "kind"], name="one_consent_per_use")]

    def __str__(self):
        return f"{self.kind} ({'given' if self.active else 'not given'})"

    @property
    def active(self):
        return self.given and self.withdrawn_at is None


class Perpetrator(models.Model):
    mission_path = "incident__mission"

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="perpetrators")
    party = models.ForeignKey(Party, on_delete=models.PROTECT, null=True, blank=True, related_name="perpetrations")
    party_type = models.CharField(_("party type"), max_length=32, choices=PartyType.choices)
    number = models.PositiveSmallIntegerField(_("number of perpetrators"), null=True, blank=True)
    sex = models.CharField(_("sex of perpetrators"), max_length=8, choices=PerpetratorSex.choices)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["incident", "party_type", "party"], name="perpetrator_incident_party")]

    def __str__(self):
        return self.get_party_type_display()



# ---- Imports of incident matrices (incidents/imports/)


class ImportState(models.TextChoices):
    CHECKING = "CHECKING", _("Checking the file")
    CHECKED = "CHECKED", _("Checked: waiting for your choice")
    IMPORTING = "IMPORTING", _("Importing")
    DONE = "DONE", _("Imported")
    FAILED = "FAILED", _("Failed")
    DISCARDED = "DISCARDED", _("Discarded")


class ImportMode(models.TextChoices):
    ALL_OR_NOTHING = "ALL", _("Import nothing until every row is right")
    VALID_ROWS = "VALID", _("Import the valid rows and give me the rest to fix")


class IncidentImport(models.Model):
    """One uploaded incident matrix: who, which file (name and SHA-256), how far it got, the report.

    The file itself holds survivor data: it is kept encrypted in ImportFile only while the import
    needs it. `report` is encrypted too, since its reasons may quote a cell (a place name).
    """

    mission_path = "mission"

    mission = models.ForeignKey(Mission, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # A file name can say more than it should ("cases of <village>.xlsx"): encrypted like the rest.
    file_name = EncryptedTextField()
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField(default=0)
    state = models.CharField(max_length=12, choices=ImportState.choices, default=ImportState.CHECKING)
    mode = models.CharField(max_length=8, choices=ImportMode.choices, blank=True)
    include_duplicates = models.BooleanField(default=False)
    progress = models.PositiveSmallIntegerField(default=0)
    rows_total = models.PositiveIntegerField(default=0)
    rows_valid = models.PositiveIntegerField(default=0)
    rows_invalid = models.PositiveIntegerField(default=0)
    rows_skipped = models.PositiveIntegerField(default=0, help_text=_("Entirely empty rows."))
    rows_duplicate = models.PositiveIntegerField(default=0)
    incidents_valid = models.PositiveIntegerField(default=0)
    rows_written = models.PositiveIntegerField(default=0)
    incidents_written = models.PositiveIntegerField(default=0)
    report = EncryptedTextField(blank=True, help_text=_("The check's findings, as JSON."))
    error = models.CharField(max_length=500, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"import {self.pk} ({self.state})"


class ImportFile(models.Model):
    """The bytes of an import's file, encrypted (base64 inside a Fernet token), until it is checked; then
    the rows as the check read them (JSON, encrypted) until the import; and, in valid-rows mode, the
    "to fix" file of the rows left out. Deleted when the import no longer needs them."""

    mission_path = "incident_import__mission"

    incident_import = models.OneToOneField(IncidentImport, on_delete=models.CASCADE, related_name="stored")
    content = EncryptedTextField(blank=True)
    rows = EncryptedTextField(blank=True)
    fix_file = EncryptedTextField(blank=True)

    def __str__(self):
        return f"file of {self.incident_import_id}"


# ---- The fast lane: early-warning alerts


class AlertIndicator(models.Model):
    """A mission's configurable list of early-warning indicators."""

    mission_path = "mission"

    mission = models.ForeignKey(Mission, on_delete=models.PROTECT, related_name="alert_indicators")
    code = models.SlugField(max_length=48)
    label = models.CharField(max_length=200)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["label"]
        constraints = [models.UniqueConstraint(fields=["mission", "code"], name="indicator_code_unique")]

    def __str__(self):
        # The default indicators are stored in English and translated here (alerts.DEFAULT_INDICATORS
        # marks them); a label an administrator typed has no translation and shows as typed.
        return gettext(self.label)


class AlertUrgency(models.TextChoices):
    URGENT = "URGENT", _("Urgent: people at risk now")
    HIGH = "HIGH", _("High: within a day")
    ROUTINE = "ROUTINE", _("Routine")


class AlertStatus(models.TextChoices):
    NEW = "NEW", _("New")
    ACKNOWLEDGED = "ACKNOWLEDGED", _("Acknowledged")
    RESPONDED = "RESPONDED", _("Response under way")
    CLOSED = "CLOSED", _("Closed")


class Alert(models.Model):
    """An unverified signal of CRSV risk, routed at once to the duty station's focal points."""

    mission_path = "mission"

    mission = models.ForeignKey(Mission, on_delete=models.PROTECT, related_name="alerts")
    duty_station = models.ForeignKey(DutyStation, on_delete=models.PROTECT, related_name="alerts")
    reference = models.CharField(max_length=32, unique=True, editable=False)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reported_at = models.DateTimeField(auto_now_add=True)
    observed_at = models.DateTimeField(_("when it was seen or heard"))
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    admin1 = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+", editable=False)
    admin2 = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+", null=True, editable=False)
    description = EncryptedTextField(_("what was seen or heard"))
    indicators = models.ManyToManyField(AlertIndicator, blank=True, related_name="alerts")
    urgency = models.CharField(_("urgency"), max_length=8, choices=AlertUrgency.choices)
    source_type = models.CharField(_("source"), max_length=32, choices=SourceType.choices)
    status = models.CharField(max_length=12, choices=AlertStatus.choices, default=AlertStatus.NEW, db_index=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                        related_name="+")
    escalated_at = models.DateTimeField(null=True, blank=True)
    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, null=True, blank=True, related_name="alerts")

    class Meta:
        ordering = ["-reported_at", "-id"]
        indexes = [models.Index(fields=["mission", "status", "urgency"], name="alert_open_idx")]

    def __str__(self):
        return self.reference

    def save(self, *args, **kwargs):
        self.admin1_id = self.location.admin1_id
        self.admin2_id = self.location.admin2_id
        super().save(*args, **kwargs)


class ResponseKind(models.TextChoices):
    PATROL = "PATROL", _("Patrol")
    JOINT_MISSION = "JOINT_MISSION", _("Joint protection mission")
    ENGAGEMENT = "ENGAGEMENT", _("Engagement with a party or authorities")
    REFERRAL = "REFERRAL", _("Referral to services")
    OTHER = "OTHER", _("Other")


class AlertResponse(models.Model):
    mission_path = "alert__mission"

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="responses")
    kind = models.CharField(_("response"), max_length=16, choices=ResponseKind.choices)
    component = models.CharField(_("component"), max_length=100,
                                 help_text=_("Who acted: Force, UN police, civil affairs, human rights..."))
    responded_at = models.DateTimeField(_("when"))
    outcome = EncryptedTextField(_("outcome"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["responded_at", "id"]

    def __str__(self):
        return f"{self.alert} {self.kind}"


class IntakeDraft(models.Model):
    """The intake form as its owner left it, so nothing typed is lost to a dropped connection.

    The whole form (fields, victims and perpetrators) is kept as encrypted JSON: a draft holds
    survivor data, so it is read only by its owner (access.intake_drafts_visible_to) and deleted
    when the incident is submitted, when it is discarded, or INTAKE_DRAFT_KEEP_DAYS after its last
    save (incidents.tasks.delete_expired_drafts).
    """

    mission_path = "mission"

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="intake_drafts")
    mission = models.ForeignKey(Mission, on_delete=models.CASCADE, related_name="+")
    duty_station = models.ForeignKey(DutyStation, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("duty station"))
    # json.dumps of {input name: [values]}, encrypted like the narrative.
    data = EncryptedTextField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)
    # Raised by every save; a save from a stale copy (another device) never overwrites a newer one.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["owner", "-updated_at"], name="intake_draft_owner")]

    def __str__(self):
        return f"draft {self.pk}"
