from tests.lifecycle.retention_fixtures import case, clinic  # noqa: F401 - fixtures
