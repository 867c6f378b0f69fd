"""Enrolling an account's authenticator (TOTP) on its first sign-in.

Anyone who knows the account's first password (the administrator who set it, whoever passed it on)
can open the enrolment page before the owner does. So the secret of an enrolment is made for one
session and shown to it once: every opening of the page makes a new secret and voids the earlier,
unconfirmed ones, a code confirms only the secret this session was shown, and confirming it ends
every other session and API token of the account.
"""

import base64

from django.db import transaction

from . import signout
from .models import TOTPDevice

# The unconfirmed device this session was shown, by primary key.
SESSION_KEY = "crsv_enrolment_device"


def confirmed_device(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def start(request):
    """A new secret for this session; any other enrolment under way for the account is void."""
    TOTPDevice.objects.filter(user=request.user, confirmed=False).delete()
    device = TOTPDevice.objects.create(user=request.user, name="authenticator", confirmed=False)
    request.session[SESSION_KEY] = device.pk
    return device


def shown_device(request):
    """The unconfirmed device whose secret this session was shown, unless another session started
    an enrolment since (or nothing was shown here)."""
    device_id = request.session.get(SESSION_KEY)
    if device_id is None:
        return None
    return TOTPDevice.objects.filter(user=request.user, confirmed=False, pk=device_id).first()


def confirm(request, device):
    """The code matched: the device is the account's only one, and only this session stays signed in."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=request.user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    request.session.pop(SESSION_KEY, None)
    signout.sign_out_everywhere(request.user, keep=request.session.session_key)


def secret_text(device):
    """The secret as an authenticator app's "enter a key" field wants it (base32, unpadded)."""
    return base64.b32encode(device.bin_key).decode().rstrip("=")
