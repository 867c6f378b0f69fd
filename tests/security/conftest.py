from tests.security.injected_world import world  # noqa: F401 - the fixture of the injection tests
