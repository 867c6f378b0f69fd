"""Retention state: the mission's periods, legal holds, the plan and its runs, and what was
anonymised. The records themselves (incidents, alerts, referrals, audit events) belong to their
apps; these rows point at them. Rules: lifecycle/retention.py."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crsv_mis.encryption import EncryptedTextField
from crsv_mis.models import Mission
from incidents.models import Incident


class RecordClass(models.TextChoices):
    INCIDENTS = "incidents", _("Incidents (with their victims and consents)")
    ALERTS = "alerts", _("Early-warning alerts")
    REFERRALS = "referrals", _("Referrals (with their follow-ups)")
    AUDIT = "audit", _("Audit trail")


class RetentionPolicy(models.Model):
    """The mission's period for one class of records, set by the SWPA within RETENTION_LIMITS."""

    mission_path = "mission"

    mission = models.ForeignKey(Mission, on_delete=models.PROTECT, related_name="+")
    record_class = models.CharField(max_length=16, choices=RecordClass.choices)
    days = models.PositiveIntegerField()
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["mission", "record_class"], name="one_policy_per_class")]
        verbose_name_plural = "retention policies"

    def __str__(self):
        return f"{self.record_class}: {self.days} days"


class LegalHoldQuerySet(models.QuerySet):
    def active(self):
        return self.filter(lifted_at__isnull=True)


class LegalHold(models.Model):
    """Keeps an incident, its victims, their referrals and its alerts out of retention (a court
    case, an investigation). The reason may name a case, so it is encrypted."""

    mission_path = "mission"

    mission = models.ForeignKey(Mission, on_delete=models.PROTECT, related_name="+")
    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="legal_holds")
    reason = EncryptedTextField(_("reason (for example the court case reference)"))
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(default=timezone.now)
    lifted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")
    lifted_at = models.DateTimeField(null=True, blank=True)
    lift_reason = EncryptedTextField(_("why the hold is lifted"), blank=True)

    objects = LegalHoldQuerySet.as_manager()

    class Meta:
        ordering = ["-set_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["incident"], condition=models.Q(lifted_at__isnull=True),
                                               name="one_active_hold_per_incident")]

    def __str__(self):
        return f"hold on {self.incident_id}"


class RunState(models.TextChoices):
    RUNNING = "RUNNING", _("Running")
    DONE = "DONE", _("Done")
    FAILED = "FAILED", _("Failed")


class RetentionRun(models.Model):
    """One pass of retention over a mission: what was due, listed, held and anonymised, per class.

    `counts` = {class: {"due", "new", "held", "ready", "anonymised"}} (and for the audit trail
    "upto_id": the newest event due when it was listed)."""

    mission_path = "mission"

    mission = models.ForeignKey(Mission, on_delete=models.PROTECT, related_name="+")
    dry_run = models.BooleanField(default=False)
    trigger = models.CharField(max_length=16)  # "beat", "command"
    state = models.CharField(max_length=8, choices=RunState.choices, default=RunState.RUNNING)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    counts = models.JSONField(default=dict)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self):
        return f"retention run {self.pk}"

    def labelled_counts(self):
        """[(the record class's label in the active language, its counts)] for the runs page."""
        labels = dict(RecordClass.choices)
        return [(labels.get(name, name), c) for name, c in self.counts.items()]

    def trigger_label(self):
        return {"beat": _("scheduled"), "command": _("command line")}.get(self.trigger, self.trigger)


class PlanEntry(models.Model):
    """A record past retention, listed in the plan since `listed_at`. It is anonymised once it has
    been listed for RETENTION_NOTICE_DAYS; it leaves the plan if a hold is set or it stops being
    due (edited, period lengthened), and its notice starts again if it comes back."""

    mission_path = "mission"

    mission = models.ForeignKey(Mission, on_delete=models.PROTECT, related_name="+")
    record_class = models.CharField(max_length=16, choices=RecordClass.choices)
    object_id = models.BigIntegerField()
    label = models.CharField(max_length=64)
    listed_at = models.DateTimeField(default=timezone.now)
    listed_by_run = models.ForeignKey(RetentionRun, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["listed_at", "id"]
        constraints = [models.UniqueConstraint(fields=["record_class", "object_id"], name="one_plan_entry")]
        indexes = [models.Index(fields=["mission", "record_class", "listed_at"], name="plan_entry_by_age")]

    def __str__(self):
        return f"{self.record_class} {self.label}"


class Anonymisation(models.Model):
    """An incident, alert or referral whose identifying fields were destroyed. (Audit events carry
    their own `anonymised_at`.)"""

    mission_path = "mission"

    mission = models.ForeignKey(Mission, on_delete=models.PROTECT, related_name="+")
    record_class = models.CharField(max_length=16, choices=RecordClass.choices)
    object_id = models.BigIntegerField()
    label = models.CharField(max_length=64)
    anonymised_at = models.DateTimeField(default=timezone.now)
    run = models.ForeignKey(RetentionRun, on_delete=models.PROTECT, related_name="anonymisations")

    class Meta:
        ordering = ["-anonymised_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["record_class", "object_id"], name="anonymised_once")]

    def __str__(self):
        return f"{self.record_class} {self.label}"
