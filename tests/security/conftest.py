import pytest

from tests.security import injected_world


@pytest.fixture
def world(users, stations, gazetteer, party, mission, make_incident):
    return injected_world.build(users, stations, gazetteer, party, mission, make_incident)
