import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone

from crsv_mis.models import ApiToken, AuditEvent, Role, User

LOCATIONS = "/api/v1/locations/"


@pytest.fixture
def amina(db):
    return User.objects.create_user(username="amina", password="Lantern-okapi-river-93", role=Role.LEADERSHIP)


def issue(*args, **options):
    out = io.StringIO()
    call_command("issue_api_token", *args, stdout=out, stderr=io.StringIO(), **options)
    lines = out.getvalue().splitlines()
    return lines[0], lines


def get_locations(raw):
    return Client().get(LOCATIONS, HTTP_AUTHORIZATION=f"Token {raw}")


def test_it_prints_a_token_that_authenticates_against_the_api(amina):
    raw, _ = issue("amina")

    response = get_locations(raw)

    assert response.status_code == 200
    assert "results" in response.json()


def test_it_prints_the_expiry_from_the_default_lifetime(amina, settings):
    settings.API_TOKEN_DAYS = 30

    _, lines = issue("amina")

    token = ApiToken.objects.get(user=amina)
    assert any(token.expires_at.isoformat() in line for line in lines[1:])
    assert timedelta(days=29) < token.expires_at - timezone.now() <= timedelta(days=30)


def test_it_honours_days(amina):
    issue("amina", days=7)

    token = ApiToken.objects.get(user=amina)
    assert timedelta(days=6) < token.expires_at - timezone.now() <= timedelta(days=7)


def test_it_stores_only_a_hash_of_the_token(amina):
    raw, _ = issue("amina")

    token = ApiToken.objects.get(user=amina)
    assert token.key_hash != raw
    assert raw not in token.key_hash
    assert token.prefix == raw[:8]


def test_it_records_the_issue_with_the_prefix_but_never_the_token(amina):
    raw, _ = issue("amina")

    event = AuditEvent.objects.get(action="api_token.issue")
    assert event.detail["prefix"] == raw[:8]
    assert raw not in str(event.detail)


def test_it_rejects_a_wrong_token_with_401(amina):
    issue("amina")

    assert get_locations("not-the-token").status_code == 401


def test_it_rejects_an_expired_token_with_401(amina):
    raw, _ = issue("amina")
    ApiToken.objects.filter(user=amina).update(expires_at=timezone.now() - timedelta(minutes=1))

    assert get_locations(raw).status_code == 401


def test_it_revokes_every_token_of_the_user_and_they_get_401(amina):
    first, _ = issue("amina")
    second, _ = issue("amina")

    out = io.StringIO()
    call_command("issue_api_token", "amina", revoke_all=True, stdout=out)

    assert "2" in out.getvalue()
    assert not ApiToken.objects.filter(user=amina, revoked_at__isnull=True).exists()
    assert get_locations(first).status_code == 401
    assert get_locations(second).status_code == 401
    event = AuditEvent.objects.get(action="api_token.revoke")
    assert event.detail["count"] == 2
    assert first not in str(event.detail) and second not in str(event.detail)


def test_it_leaves_other_users_tokens_alone_when_revoking(amina):
    other = User.objects.create_user(username="other", password="Lantern-okapi-river-93", role=Role.LEADERSHIP)
    raw, _ = issue("other")

    call_command("issue_api_token", "amina", revoke_all=True, stdout=io.StringIO())

    assert get_locations(raw).status_code == 200
    assert ApiToken.objects.get(user=other).revoked_at is None


def test_it_rejects_a_token_of_a_deactivated_user_with_401(amina):
    raw, _ = issue("amina")
    amina.is_active = False
    amina.save()

    assert get_locations(raw).status_code == 401


def test_it_refuses_an_unknown_user(db):
    with pytest.raises(CommandError, match="nobody"):
        issue("nobody")
    assert not ApiToken.objects.exists()


def test_it_revokes_one_token_by_its_prefix_and_leaves_the_others_working(amina):
    leaked, _ = issue("amina")
    kept, _ = issue("amina")

    out = io.StringIO()
    call_command("issue_api_token", "amina", revoke=leaked[:8], stdout=out)

    assert "Revoked 1 token" in out.getvalue()
    assert get_locations(leaked).status_code == 401
    assert get_locations(kept).status_code == 200
    event = AuditEvent.objects.get(action="api_token.revoke")
    assert event.detail["prefixes"] == [leaked[:8]]
    assert leaked not in str(event.detail)


def test_it_refuses_to_revoke_a_prefix_the_user_has_no_active_token_for(amina):
    raw, _ = issue("amina")

    with pytest.raises(CommandError, match="no active token"):
        call_command("issue_api_token", "amina", revoke="nothing1", stdout=io.StringIO())
    assert get_locations(raw).status_code == 200
    assert not AuditEvent.objects.filter(action="api_token.revoke").exists()


def test_it_keeps_a_revoked_token_revoked_when_its_prefix_is_given_again(amina):
    raw, _ = issue("amina")
    call_command("issue_api_token", "amina", revoke=raw[:8], stdout=io.StringIO())

    with pytest.raises(CommandError, match="no active token"):
        call_command("issue_api_token", "amina", revoke=raw[:8], stdout=io.StringIO())
    assert get_locations(raw).status_code == 401
