import os
import subprocess
import sys
import tempfile

from django.conf import settings

# Each run imports the production settings in a fresh interpreter, as a deployment would.
SETUP = "import django; django.setup(); from django.conf import settings as s; print(s.DEBUG, s.REQUIRE_2FA)"
FIELD_KEY = "zq8tVcvHHXYyPEKo6aV-ieqZ1FhHU6ZtJcAeZDAGdMI="
SECRET = "kV3qLr9ZtW2mXc7bN5pD8sJ1hF4gY6uA0eR3tQ9wE2yU7iO5pA"
CHAIN_KEY = "pR4nW8xL2cV6bM0qT5yH9jK3fD7gS1aZ"


def production_env(**overrides):
    env = {
        k: v for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "DEBUG", "REQUIRE_2FA", "SECURE_SSL_REDIRECT",
                     "AUDIT_CHAIN_KEY", "AUDIT_CHECKPOINT_DIR"}
    }
    env.update(DJANGO_SETTINGS_MODULE="crsv_mis.production", ALLOWED_HOSTS="example.org", AUDIT_CHAIN_KEY=CHAIN_KEY,
               AUDIT_CHECKPOINT_DIR=os.path.join(tempfile.gettempdir(), "crsv-test-audit-checkpoints"))
    env.update(overrides)
    return {k: v for k, v in env.items() if v is not None}


def run(args, env):
    return subprocess.run(  # noqa: S603 - fixed arguments, our own interpreter
        [sys.executable, *args], env=env, cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=120
    )


def test_it_refuses_to_start_without_a_secret_key():
    result = run(["-c", SETUP], production_env(FIELD_ENCRYPTION_KEYS=FIELD_KEY))

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_it_refuses_to_start_with_a_blank_secret_key():
    result = run(["-c", SETUP], production_env(SECRET_KEY="   ", FIELD_ENCRYPTION_KEYS=FIELD_KEY))

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_it_refuses_to_start_without_field_encryption_keys():
    result = run(["-c", SETUP], production_env(SECRET_KEY=SECRET))

    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEYS" in result.stderr


def test_it_refuses_to_start_without_the_audit_chain_key_or_checkpoint_directory():
    for missing in ("AUDIT_CHAIN_KEY", "AUDIT_CHECKPOINT_DIR"):
        result = run(["-c", SETUP], production_env(SECRET_KEY=SECRET, FIELD_ENCRYPTION_KEYS=FIELD_KEY, **{missing: ""}))

        assert result.returncode != 0
        assert f"{missing} must be set" in result.stderr


def test_it_refuses_an_audit_chain_key_that_is_another_secret():
    for reused in (SECRET, FIELD_KEY):
        result = run(["-c", SETUP], production_env(SECRET_KEY=SECRET, FIELD_ENCRYPTION_KEYS=FIELD_KEY,
                                                   AUDIT_CHAIN_KEY=reused))

        assert result.returncode != 0
        assert "AUDIT_CHAIN_KEY must differ" in result.stderr


def test_it_forces_debug_off_and_two_factor_on_whatever_the_environment_says():
    env = production_env(SECRET_KEY=SECRET, FIELD_ENCRYPTION_KEYS=FIELD_KEY, DEBUG="1", REQUIRE_2FA="0")

    result = run(["-c", SETUP], env)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True"]


def test_the_deployment_check_passes_with_both_keys_set():
    env = production_env(SECRET_KEY=SECRET, FIELD_ENCRYPTION_KEYS=FIELD_KEY)

    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)

    assert result.returncode == 0, result.stdout + result.stderr
