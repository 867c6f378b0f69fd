"""Every model of the product apps says where its mission is (crsv_mis/missions.py), so that one helper
scopes any of them and a new model cannot be added without saying it."""

import pytest
from django.apps import apps

from crsv_mis.missions import PRODUCT_APPS, mission_path, of_mission
from crsv_mis.models import Mission


def product_models():
    return [model for app in PRODUCT_APPS for model in apps.get_app_config(app).get_models()]


def target_of(model, path):
    """The model a lookup path ends on (walking the relations), or the reason it does not resolve."""
    if path == "pk":
        return model
    for name in path.split("__"):
        try:
            field = model._meta.get_field(name)
        except Exception as error:  # noqa: BLE001 - the reason is the test's message
            return f"{name!r} is no field of {model.__name__} ({error})"
        if not field.is_relation:
            return f"{name!r} of {model.__name__} is no relation"
        model = field.related_model
    return model


def test_it_finds_the_models_of_every_product_app():
    assert {model._meta.app_label for model in product_models()} == set(PRODUCT_APPS)


def test_it_requires_every_model_to_declare_its_mission_path():
    undeclared = [f"{m._meta.label}" for m in product_models() if "mission_path" not in vars(m)]
    assert undeclared == [], f"declare mission_path (or None, with the reason) on: {undeclared}"


def test_it_requires_every_declared_path_to_lead_to_the_mission(db):
    mission = Mission.objects.create(code="PATH", name="Path mission")
    wrong = []
    for model in product_models():
        path = vars(model).get("mission_path")  # one declaring nothing: the test above names it
        if path is None:
            continue
        target = target_of(model, path)
        if target is not Mission:
            wrong.append(f"{model._meta.label}.mission_path = {path!r}: {target}")
            continue
        # The filter builds into SQL and runs.
        queryset = of_mission(model, mission)
        assert " WHERE " in str(queryset.query), model
        list(queryset[:1])
    assert wrong == []


def test_it_gives_only_the_rows_of_the_mission_asked_for(users, stations, mission):
    other = Mission.objects.create(code="OTHER", name="Other mission")
    from crsv_mis.models import DutyStation, User
    DutyStation.objects.create(mission=other, code="other", name="Other office")
    assert set(of_mission(DutyStation, mission)) == set(stations.values())
    assert set(of_mission(User.objects.filter(is_active=True), other)) == set()
    assert of_mission(DutyStation, None).count() == 0


def test_it_refuses_a_model_that_declares_nothing():
    class Undeclared:
        pass

    with pytest.raises(LookupError, match="Undeclared"):
        mission_path(Undeclared)
