import hashlib
import secrets
import time
from base64 import b32encode
from binascii import unhexlify
from contextvars import ContextVar
from datetime import timedelta
from urllib.parse import quote, urlencode

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.signals import m2m_changed
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin, TimestampMixin
from django_otp.oath import TOTP
from django_otp.util import random_hex

from .encryption import EncryptedTextField
from .signout import sign_out_everywhere


class Role(models.TextChoices):
    WPA = "WPA", _("Women Protection Adviser")
    SWPA = "SWPA", _("Senior Women Protection Adviser")
    HRO = "HRO", _("Human rights officer")
    MARA_CHAIR = "MARA_CHAIR", _("MARA chair")
    MARA_MEMBER = "MARA_MEMBER", _("MARA member")
    REFERRAL_FOCAL_POINT = "REFERRAL_FOCAL_POINT", _("Referral focal point")
    LEADERSHIP = "LEADERSHIP", _("Mission leadership")
    FIELD_REPORTER = "FIELD_REPORTER", _("Field reporter")
    ADMIN = "ADMIN", _("Administrator")
    AUDITOR = "AUDITOR", _("Auditor")


# The roles that read survivor data, or reach survivors (referrals): one person alone never gives
# them. A change that gives one, or widens where it reads (duty stations, mission), takes effect
# only when a second person on the data side approves it (crsv_mis/roles.py).
DATA_ROLES = frozenset({Role.WPA, Role.SWPA, Role.HRO, Role.MARA_CHAIR, Role.MARA_MEMBER,
                        Role.REFERRAL_FOCAL_POINT})

# Set only inside crsv_mis.roles.without_approval(): the approval itself, the bootstrap of a
# mission's first SWPA, the demo seeding and test fixtures.
data_role_assignment_allowed = ContextVar("data_role_assignment_allowed", default=False)


class RoleNeedsApproval(PermissionError):
    """A data role, or wider duty stations for one, saved without the second person's approval."""


class Mission(models.Model):
    mission_path = "pk"

    code = models.SlugField(max_length=16, unique=True, help_text=_("Prefix of incident references."))
    name = models.CharField(max_length=200)
    country = models.ForeignKey("Location", on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    def __str__(self):
        return self.name


class LocationLevel(models.IntegerChoices):
    COUNTRY = 0, _("Country")
    ADMIN1 = 1, _("Admin 1 (province, state, region)")
    ADMIN2 = 2, _("Admin 2 (territory, county, cercle)")
    LOCALITY = 3, _("Locality")


class LocationQuerySet(models.QuerySet):
    def of_mission(self, mission):
        """The places of `mission`: its country and everything under it. Missions share one
        gazetteer, so any other place is another mission's (or none's): no incident, alert or
        choice of a mission may name it."""
        country = getattr(mission, "country_id", None)
        if country is None:
            return self.none()
        return self.filter(models.Q(pk=country) | models.Q(admin1__parent_id=country))


class Location(models.Model):
    """A node of the gazetteer tree: country > admin1 > admin2 > locality."""

    # Holds no mission's data: the gazetteer, place names shared by the missions, naming no record.
    mission_path = None

    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="children")
    level = models.PositiveSmallIntegerField(choices=LocationLevel.choices)
    name = models.CharField(max_length=200)
    pcode = models.CharField(max_length=32, unique=True, help_text=_("Stable place code."))
    # Denormalised ancestors so that scoping and grouping need no recursive query.
    admin1 = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    admin2 = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    objects = LocationQuerySet.as_manager()

    class Meta:
        ordering = ["level", "name"]
        indexes = [models.Index(fields=["level", "name"])]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        parent = self.parent
        self.admin1 = parent.admin1 if parent and self.level > LocationLevel.ADMIN1 else None
        self.admin2 = parent.admin2 if parent and self.level > LocationLevel.ADMIN2 else None
        super().save(*args, **kwargs)
        # An admin1 or admin2 area is its own ancestor at that level (needs its pk first).
        if self.level == LocationLevel.ADMIN1 and self.admin1_id != self.pk:
            self.admin1 = self
            Location.objects.filter(pk=self.pk).update(admin1=self)
        elif self.level == LocationLevel.ADMIN2 and self.admin2_id != self.pk:
            self.admin2 = self
            Location.objects.filter(pk=self.pk).update(admin2=self)

    @property
    def path(self):
        parts = [self.admin1, self.admin2, self if self.level == LocationLevel.LOCALITY else None]
        return " / ".join(p.name for p in parts if p)


class DutyStation(models.Model):
    mission_path = "mission"

    mission = models.ForeignKey(Mission, on_delete=models.PROTECT, related_name="duty_stations")
    code = models.SlugField(max_length=32, unique=True)
    name = models.CharField(max_length=200)
    location = models.ForeignKey(Location, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class User(AbstractUser):
    mission_path = "mission"

    role = models.CharField(max_length=32, choices=Role.choices)
    mission = models.ForeignKey(Mission, on_delete=models.PROTECT, null=True, blank=True, related_name="users")
    duty_stations = models.ManyToManyField(DutyStation, blank=True, related_name="officers")
    language = models.CharField(max_length=8, default="en", choices=[("en", "English"), ("fr", "Français")])
    # When the home page first showed this person the tour of their role (crsv_mis/tour.py).
    tour_seen_at = models.DateTimeField(null=True, blank=True, editable=False)

    def __str__(self):
        return self.username

    def save(self, *args, **kwargs):
        # A new password signs the person out everywhere: sessions end by Django's session hash,
        # and the API tokens issued under the old password are revoked here. Deactivation ends the
        # sessions and tokens themselves, so that reactivating the account brings none of them back.
        password_changed = self.pk is not None and self._password is not None
        deactivated = (self.pk is not None and not self.is_active
                       and User.objects.filter(pk=self.pk, is_active=True).exists())
        self._refuse_unapproved_data_role(kwargs.get("update_fields"))
        super().save(*args, **kwargs)
        if password_changed:
            self.api_tokens.usable().update(revoked_at=timezone.now())
        if deactivated:
            sign_out_everywhere(self)

    def _refuse_unapproved_data_role(self, update_fields):
        """Whatever the path (Django admin, command, shell, a future API), a save that gives a data
        role or moves its holder to another mission needs the approval service."""
        if self.role not in DATA_ROLES or data_role_assignment_allowed.get():
            return
        if update_fields is not None and not {"role", "mission"} & set(update_fields):
            return
        stored = User.objects.filter(pk=self.pk).values("role", "mission_id").first() if self.pk else None
        if stored != {"role": self.role, "mission_id": self.mission_id}:
            raise RoleNeedsApproval(f"The {self.role} role of {self.username} needs a second person's approval.")


@receiver(m2m_changed, sender=User.duty_stations.through)
def _refuse_unapproved_duty_stations(sender, instance, action, reverse, pk_set, **kwargs):
    """Adding a duty station to a data role widens what it reads: the approval service only."""
    if action != "pre_add" or not pk_set or data_role_assignment_allowed.get():
        return
    holders = User.objects.filter(pk__in=pk_set) if reverse else User.objects.filter(pk=instance.pk)
    if holders.filter(role__in=DATA_ROLES).exists():
        raise RoleNeedsApproval("Duty stations of a data role need a second person's approval.")


class GrantState(models.TextChoices):
    PENDING = "PENDING", _("Awaiting approval")
    APPROVED = "APPROVED", _("Approved")
    DECLINED = "DECLINED", _("Declined")
    WITHDRAWN = "WITHDRAWN", _("Withdrawn")


class RoleGrant(models.Model):
    """A request to give a person a data role at some duty stations. It takes effect when an SWPA
    of the mission other than the requester and the person approves it (crsv_mis/roles.py)."""

    mission_path = "mission"

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="role_grants")
    mission = models.ForeignKey(Mission, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=32, choices=Role.choices)
    duty_stations = models.ManyToManyField(DutyStation, blank=True, related_name="+")
    state = models.CharField(max_length=16, choices=GrantState.choices, default=GrantState.PENDING)
    # Empty when asked from the command line.
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["requested_at", "id"]

    def __str__(self):
        return f"{self.user} {self.role} ({self.state})"


class AuditEvent(models.Model):
    """Append-only, hash-chained record of who did what to which record.

    `detail` never holds identifying data: codes, field names and counts only.

    The personal fields (user, username, ip, reason, detail) enter the chain through
    `identity_digest`, a salted digest of them, so that once past retention they can be erased
    (with the salt, so the digest cannot be guessed back) while the chain still verifies. That
    erasure, stamped `anonymised_at`, is the only change the database allows (migration 0004).

    `mission` is the mission the event belongs to: the mission of the record it is about, else the
    actor's; empty for events of neither. Each mission's auditor reads its own events only, and that
    mission's retention period and legal holds govern the event. It is set once, at insertion, and the
    database refuses any later change of it (migration 0010).
    """

    mission_path = "mission"

    PERSONAL_FIELDS = ("user", "username", "ip", "reason", "detail")

    at = models.DateTimeField(default=timezone.now, db_index=True)
    mission = models.ForeignKey(Mission, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    user = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    username = models.CharField(max_length=150, blank=True)
    role = models.CharField(max_length=32, blank=True)
    action = models.CharField(max_length=64, db_index=True)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_ref = models.CharField(max_length=64, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    reason = models.CharField(max_length=500, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    identity_salt = models.CharField(max_length=32, blank=True, default="")
    identity_digest = models.CharField(max_length=64, default="")
    anonymised_at = models.DateTimeField(null=True, blank=True)
    mission = models.ForeignKey(Mission, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["id"]
        # The audit-trail page filters on each of these (crsv_mis/audit_trail.py).
        indexes = [models.Index(fields=["object_type", "object_id"]), models.Index(fields=["object_id"]),
                   models.Index(fields=["object_ref"]),
                   models.Index(fields=["username"]), models.Index(fields=["role"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("Audit events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Audit events cannot be deleted.")


class AuditChainHead(models.Model):
    """One row, locked while an event is appended, so the chain never forks."""

    # Holds no mission's data: one hash over the whole trail, naming no record.
    mission_path = None

    last_hash = models.CharField(max_length=64)

    def __str__(self):
        return self.last_hash


def _hash_token(raw):
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def usable(self):
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class ApiToken(models.Model):
    """A bearer token for scripts. Only its SHA-256 is stored; it expires and can be revoked."""

    mission_path = "user__mission"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    def __str__(self):
        return f"{self.prefix}… ({self.user})"

    @classmethod
    def issue(cls, user, *, days):
        raw = secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user, key_hash=_hash_token(raw), prefix=raw[:8],
            expires_at=timezone.now() + timedelta(days=days),
        )
        return token, raw

    @classmethod
    def find(cls, raw):
        return cls.objects.usable().select_related("user").filter(key_hash=_hash_token(raw)).first()




def new_totp_key():
    return random_hex(20)


class TOTPDevice(TimestampMixin, ThrottlingMixin, Device):
    """A person's authenticator (TOTP), as django-otp's own TOTP device but for its secret, stored
    encrypted: whoever reads the database or a dump does not get everyone's second factor. The
    key is hex text inside the encryption; rotate_encryption_key re-encrypts it with the others."""

    mission_path = "user__mission"

    key = EncryptedTextField(default=new_totp_key)
    step = models.PositiveSmallIntegerField(default=30)
    t0 = models.BigIntegerField(default=0)
    digits = models.PositiveSmallIntegerField(choices=[(6, 6), (8, 8)], default=6)
    tolerance = models.PositiveSmallIntegerField(default=1)
    drift = models.SmallIntegerField(default=0)
    # The time step of the last code accepted: a code is accepted once.
    last_t = models.BigIntegerField(default=-1)

    class Meta(Device.Meta):
        verbose_name = "TOTP device"

    @property
    def bin_key(self):
        return unhexlify(self.key.encode())

    def verify_token(self, token):
        allowed, _details = self.verify_is_allowed()
        if not allowed:
            return False
        try:
            token = int(token)
        except (TypeError, ValueError):
            verified = False
        else:
            totp = TOTP(self.bin_key, self.step, self.t0, self.digits, self.drift)
            totp.time = time.time()
            verified = totp.verify(token, self.tolerance, self.last_t + 1)
            if verified:
                self.last_t = totp.t()
                self.drift = totp.drift
                self.throttle_reset(commit=False)
                self.set_last_used_timestamp(commit=False)
                self.save()
        if not verified:
            self.throttle_increment(commit=True)
        return verified

    def get_throttle_factor(self):
        return getattr(settings, "OTP_TOTP_THROTTLE_FACTOR", 1)

    @property
    def config_url(self):
        """The otpauth:// address an authenticator app reads from the QR code."""
        issuer = getattr(settings, "OTP_TOTP_ISSUER", "").replace(":", "")
        label = f"{issuer}:{self.user.get_username()}" if issuer else self.user.get_username()
        params = urlencode({"secret": b32encode(self.bin_key), "algorithm": "SHA1", "digits": self.digits,
                            "period": self.step})
        if issuer:
            params += f"&issuer={quote(issuer)}"
        return f"otpauth://totp/{quote(label)}?{params}"


class Notification(models.Model):
    """An in-app message, e-mailed too when the person has an address (crsv_mis/notify.py).

    Never carries survivor information: a short text (references, kinds, counts), the action it
    asks for and a link. The text and the action are stored in the recipient's language."""

    mission_path = "user__mission"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    text = models.CharField(max_length=300)
    url = models.CharField(max_length=300, blank=True)
    # What the person is asked to do, the label of the button beside the text ("Acknowledge the alert").
    action = models.CharField(max_length=100, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    # Set once the e-mail went out, under a row lock: a second run of the task sends nothing.
    emailed_at = models.DateTimeField(null=True, blank=True)
    # Makes sending idempotent: one notification per user and event.
    event_key = models.CharField(max_length=120)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "event_key"], name="one_notification_per_event")]

    def __str__(self):
        return self.text


class QueuedTask(models.Model):
    """A Celery task written in the same transaction as the change that needs it (crsv_mis/outbox.py).

    Sent once the transaction commits; while the broker is down it stays here, unsent, until the
    relay sends it. Arguments are ids and months only, never anything a record says.
    """

    # Holds no mission's data: ids of tasks not yet sent; each task scopes itself to its mission.
    mission_path = None

    task = models.CharField(max_length=200)
    args = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    # The class of the last broker error: never a message, which could quote anything.
    last_error = models.CharField(max_length=200, blank=True)

    class Meta:
        indexes = [models.Index(fields=["created_at"], condition=models.Q(sent_at__isnull=True),
                                name="queuedtask_unsent")]

    def __str__(self):
        return f"{self.task} {self.pk}"
