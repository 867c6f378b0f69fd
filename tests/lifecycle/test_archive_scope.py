"""What the archive holds: every model of the project apps (models added later too) and what their
rows need, with identifying fields readable with the archive key alone; never the old deployment's
credentials (password hashes, second factors, API tokens, sessions)."""

from django.apps import apps
from django.contrib.sessions.models import Session

from crsv_mis.models import ApiToken, User
from lifecycle import archive, archive_scope
from tests.lifecycle.conftest import NARRATIVE, VICTIM_NAME, plaintext


def test_every_model_of_the_project_apps_is_archived_but_api_tokens():
    archived = {m._meta.label_lower for m in archive.archived_models()}
    for app in archive.PROJECT_APPS:
        for model in apps.get_app_config(app).get_models(include_auto_created=True):
            label = model._meta.label_lower
            assert (label in archived) != (label in archive.LEFT_OUT), label
    assert {"auth.group", "auth.group_permissions", "guardian.userobjectpermission",
            "guardian.groupobjectpermission", "crsv_mis.user_groups"} <= archived
    assert not {"sessions.session", "axes.accessattempt", "crsv_mis.totpdevice", "contenttypes.contenttype",
                "auth.permission", "crsv_mis.apitoken"} & archived


def test_every_archived_row_can_be_restored_with_what_the_archive_holds():
    assert archive.scope_problems() == []


def test_every_archived_model_has_a_way_to_its_mission():
    assert archive_scope.unscoped(archive.archived_models()) == []


def test_each_model_comes_after_the_models_it_points_to():
    order = [m._meta.label_lower for m in archive.archived_models()]
    for model in archive.archived_models():
        for field in model._meta.local_concrete_fields:
            target = field.related_model._meta.label_lower if field.is_relation else None
            if target in order and field.related_model is not model:
                assert order.index(target) < order.index(model._meta.label_lower), (model, field.name)


def test_identifying_fields_are_readable_with_the_archive_key_and_credentials_stay_behind(
        closed_mission, archive_key, tmp_path, client):
    client.force_login(closed_mission["users"]["WPA"])  # a session row
    assert Session.objects.exists() and ApiToken.objects.exists()
    path = tmp_path / "mission.crsvarc"
    archive.export(path, archive_key)
    content = b"\n".join(plaintext(path, archive_key)).decode()
    assert NARRATIVE in content and VICTIM_NAME in content
    assert "enc:gAAAA" not in content  # no field (Fernet tokens start so) is readable only with the old database keys
    for user in User.objects.all():
        assert user.password not in content
    for token in ApiToken.objects.all():
        assert token.key_hash not in content
    from crsv_mis.models import TOTPDevice

    for device in TOTPDevice.objects.all():
        assert device.key not in content
    for session in Session.objects.all():
        assert session.session_key not in content
    sealed = path.read_bytes()
    assert NARRATIVE.encode() not in sealed and VICTIM_NAME.encode() not in sealed
