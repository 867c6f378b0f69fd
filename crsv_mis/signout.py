"""Ending every way an account is signed in: its stored sessions and its API tokens.

Deleted, not merely refused while the account is inactive: a deactivated account's sessions and
tokens must not answer again when it is reactivated, and whoever opened a session with a password
alone must not keep it once the owner enrols their second factor.
"""

from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.utils import timezone


def _session_store():
    return import_module(settings.SESSION_ENGINE).SessionStore


def session_keys(user):
    """The keys of the unexpired stored sessions signed in as `user`. Sessions are not indexed by
    account: every one is read, which the rare callers (deactivation, enrolment) can afford."""
    store = _session_store()
    user_id = user._meta.pk.value_to_string(user)
    rows = store.get_model_class().objects.filter(expire_date__gt=timezone.now())
    for session_key, data in rows.values_list("session_key", "session_data").iterator():
        if store().decode(data).get(SESSION_KEY) == user_id:
            yield session_key


def end_sessions(user, *, keep=None):
    """Delete every session of `user` but the one keyed `keep` (the request's own, when it stays)."""
    store = _session_store()
    ended = 0
    for session_key in list(session_keys(user)):
        if session_key != keep:
            store(session_key=session_key).delete()
            ended += 1
    return ended


def sign_out_everywhere(user, *, keep=None):
    """End the account's sessions (but `keep`) and revoke its API tokens."""
    user.api_tokens.usable().update(revoked_at=timezone.now())
    return end_sessions(user, keep=keep)
