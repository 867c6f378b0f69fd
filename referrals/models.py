"""Survivors' referrals to services: the provider directory, referrals with their own consent,
status history and follow-ups."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crsv_mis.encryption import EncryptedTextField
from crsv_mis.models import Location, Mission
from incidents.choices import ConsentGivenBy
from incidents.models import Incident, Victim


class Service(models.TextChoices):
    MEDICAL = "MEDICAL", _("Medical (clinical management of rape)")
    PSYCHOSOCIAL = "PSYCHOSOCIAL", _("Psychosocial support")
    LEGAL = "LEGAL", _("Legal aid")
    SAFETY_SHELTER = "SAFETY_SHELTER", _("Safety and shelter")
    SOCIO_ECONOMIC = "SOCIO_ECONOMIC", _("Socio-economic (livelihood, reintegration)")
    OTHER = "OTHER", _("Other")


class ProviderType(models.TextChoices):
    HEALTH_FACILITY = "HEALTH_FACILITY", _("Health facility")
    NGO = "NGO", _("Non-governmental organisation")
    GOVERNMENT = "GOVERNMENT", _("Government service")
    UN_AGENCY = "UN_AGENCY", _("UN agency")
    COMMUNITY = "COMMUNITY", _("Community-based")


class Provider(models.Model):
    mission_path = "mission"

    mission = models.ForeignKey(Mission, on_delete=models.PROTECT, related_name="providers")
    name = models.CharField(_("organisation"), max_length=200)
    provider_type = models.CharField(_("type"), max_length=16, choices=ProviderType.choices)
    areas = models.ManyToManyField(Location, related_name="providers", verbose_name=_("areas covered"),
                                   help_text=_("Admin1 or admin2 areas; a province covers its territories."))
    available = models.BooleanField(_("currently available"), default=True)
    availability_note = models.CharField(_("availability"), max_length=300, blank=True)
    # Only WPA, HRO and SWPA see the contact.
    contact = EncryptedTextField(_("contact"), blank=True)
    focal_points = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="provider_roles",
                                          verbose_name=_("referral focal points"))

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["mission", "name"], name="provider_name_unique")]

    def __str__(self):
        return self.name


class ProviderService(models.Model):
    mission_path = "provider__mission"

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="services")
    service = models.CharField(max_length=16, choices=Service.choices)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["service"]
        constraints = [models.UniqueConstraint(fields=["provider", "service"], name="provider_service_unique")]

    def __str__(self):
        return f"{self.provider}: {self.service}"


class ReferralStatus(models.TextChoices):
    PROPOSED = "PROPOSED", _("Proposed")
    REFERRED = "REFERRED", _("Referred")
    ACCEPTED = "ACCEPTED", _("Accepted by the provider")
    SERVICE_PROVIDED = "SERVICE_PROVIDED", _("Service provided")
    CLOSED = "CLOSED", _("Closed")
    DECLINED_BY_SURVIVOR = "DECLINED_BY_SURVIVOR", _("Declined by the survivor")
    PROVIDER_UNAVAILABLE = "PROVIDER_UNAVAILABLE", _("Provider unavailable")
    LOST_TO_FOLLOW_UP = "LOST_TO_FOLLOW_UP", _("Lost to follow-up")


OPEN_STATUSES = (ReferralStatus.PROPOSED, ReferralStatus.REFERRED, ReferralStatus.ACCEPTED)


class Urgency(models.TextChoices):
    EMERGENCY = "EMERGENCY", _("Emergency (today)")
    URGENT = "URGENT", _("Urgent (within 3 days)")
    ROUTINE = "ROUTINE", _("Routine")


class Referral(models.Model):
    """A survivor referred to one service at one provider, with the consent for that referral."""

    mission_path = "incident__mission"

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="referrals")
    victim = models.ForeignKey(Victim, on_delete=models.PROTECT, related_name="referrals")
    service = models.CharField(_("service"), max_length=16, choices=Service.choices)
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="referrals")
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.ROUTINE)
    # What the provider needs to know; the focal point reads it. Encrypted.
    note = EncryptedTextField(_("note for the provider"), blank=True)
    status = models.CharField(max_length=24, choices=ReferralStatus.choices, default=ReferralStatus.PROPOSED,
                              db_index=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    referred_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The officer who follows the referral up (deadlines, follow-ups): the referrer until a handover
    # (lifecycle.handover) gives it to someone else. `referred_by` stays who made it.
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", editable=False, verbose_name=_("officer in charge"))
    created_at = models.DateTimeField(default=timezone.now)
    referred_at = models.DateTimeField(null=True, blank=True)
    service_provided_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    # Consent for this service and provider (a child's: the caregiver's or a best-interest decision).
    consent_given = models.BooleanField(_("consent given for this referral"), default=False)
    consent_date = models.DateField(_("date of consent"), null=True, blank=True)
    consent_given_by = models.CharField(max_length=16, choices=ConsentGivenBy.choices, blank=True)
    consent_decided_by = EncryptedTextField(_("who decided (child)"), blank=True)
    consent_taken_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                         blank=True, related_name="+")
    consent_withdrawn_at = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["provider", "status"], name="referral_provider_status")]

    def __str__(self):
        return f"{self.victim.code} → {self.get_service_display()}"

    def save(self, *args, **kwargs):
        if self.assigned_to_id is None:
            self.assigned_to_id = self.referred_by_id
        super().save(*args, **kwargs)

    @property
    def consent_active(self):
        return self.consent_given and self.consent_withdrawn_at is None


class ReferralStatusChange(models.Model):
    mission_path = "referral__incident__mission"

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="history")
    from_status = models.CharField(max_length=24, blank=True)
    to_status = models.CharField(max_length=24)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)
    reason = EncryptedTextField(max_length=500, blank=True)

    class Meta:
        ordering = ["changed_at", "id"]

    def __str__(self):
        return f"{self.from_status} -> {self.to_status}"


class FollowUp(models.Model):
    mission_path = "referral__incident__mission"

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="follow_ups")
    date = models.DateField(_("date"))
    outcome = EncryptedTextField(_("outcome"), max_length=300)
    note = EncryptedTextField(_("note"), blank=True)
    next_follow_up = models.DateField(_("next follow-up"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["date", "id"]

    def __str__(self):
        return f"{self.referral_id} {self.date:%Y-%m-%d}"
