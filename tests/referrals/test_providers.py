"""The provider directory (docs/domain.md, "Referrals").

- Readers: WPA, HRO, SWPA, ADMIN, MARA chair and members, leadership; everyone else gets 403.
- The contact (encrypted at rest) shows only to WPA, HRO and SWPA; the ADMIN edits it on the form.
- SWPA and ADMIN create and edit providers: services as checkboxes, areas of the mission's country,
  focal points of the mission with the referral focal point role; each save writes an audit event.
- providers_for(mission, service, location): available providers offering the service actively,
  those covering the location's admin2 or admin1 first.
"""

import pytest

from crsv_mis.models import AuditEvent, Location, LocationLevel, Mission, Role
from referrals.models import Provider, ProviderService
from referrals.providers import providers_for
from tests.conftest import make_user

READERS = ["WPA", "HRO", "SWPA", "ADMIN", "MARA_CHAIR", "MARA_MEMBER", "LEADERSHIP"]
CONTACT_READERS = ["WPA", "HRO", "SWPA"]
MANAGERS = ["SWPA", "ADMIN"]
OUTSIDERS = ["FIELD_REPORTER", "REFERRAL_FOCAL_POINT", "AUDITOR"]
CONTACT = "+000 555 0199, clinic desk"


def provider(mission, name, areas, services, *, available=True, inactive=(), contact="", kind="NGO"):
    p = Provider.objects.create(mission=mission, name=name, provider_type=kind, available=available, contact=contact)
    p.areas.set(areas)
    for code in services:
        ProviderService.objects.create(provider=p, service=code, active=True)
    for code in inactive:
        ProviderService.objects.create(provider=p, service=code, active=False)
    return p


@pytest.fixture
def clinic(mission, gazetteer):
    return provider(mission, "Northmark Clinic", [gazetteer["north"]], ["MEDICAL"], inactive=["LEGAL"],
                    contact=CONTACT, kind="HEALTH_FACILITY")


@pytest.mark.parametrize("role", READERS)
def test_readers_see_the_directory_and_only_wpa_hro_swpa_the_contact(users, login, clinic, role):
    response = login(users[role]).get("/referrals/providers/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Northmark Clinic" in html and "Health facility" in html and "Northmark" in html
    assert "Medical (clinical management of rape)" in html
    assert "Legal aid" not in html  # an inactive service is not offered
    assert (CONTACT in html) == (role in CONTACT_READERS)
    assert ("/referrals/providers/new/" in html) == (role in MANAGERS)


@pytest.mark.parametrize("role", OUTSIDERS)
def test_everyone_else_is_refused_the_directory(users, login, clinic, role):
    client = login(users[role])

    assert client.get("/referrals/providers/").status_code == 403
    assert client.get("/referrals/providers/new/").status_code == 403
    assert client.get(f"/referrals/providers/{clinic.pk}/edit/").status_code == 403


@pytest.mark.parametrize("role", [r for r in READERS if r not in MANAGERS])
def test_only_swpa_and_admin_create_or_edit(users, login, clinic, role):
    client = login(users[role])

    assert client.get("/referrals/providers/new/").status_code == 403
    assert client.get(f"/referrals/providers/{clinic.pk}/edit/").status_code == 403
    assert client.post("/referrals/providers/new/", {"name": "X", "provider_type": "NGO"}).status_code == 403
    assert not Provider.objects.filter(name="X").exists()


def test_the_contact_is_encrypted_at_rest(clinic):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT contact FROM referrals_provider WHERE id = %s", [clinic.pk])
        stored = cursor.fetchone()[0]
    assert "0199" not in stored
    assert Provider.objects.get(pk=clinic.pk).contact == CONTACT


def test_the_admin_sees_the_contact_on_the_edit_page(users, login, clinic):
    response = login(users["ADMIN"]).get(f"/referrals/providers/{clinic.pk}/edit/")

    assert response.status_code == 200
    assert CONTACT in response.content.decode()


def test_the_swpa_adds_a_provider_with_services_areas_and_focal_points(users, login, gazetteer):
    response = login(users["SWPA"]).post("/referrals/providers/new/", {
        "name": "Southmark Legal Aid", "provider_type": "NGO", "services": ["LEGAL", "PSYCHOSOCIAL"],
        "areas": [gazetteer["south"].pk, gazetteer["north_a"].pk], "available": "on",
        "availability_note": "Weekdays", "contact": "+000 555 0142",
        "focal_points": [users["REFERRAL_FOCAL_POINT"].pk],
    })

    assert response.status_code == 302
    p = Provider.objects.get(name="Southmark Legal Aid")
    assert p.mission == users["SWPA"].mission
    assert sorted(p.services.filter(active=True).values_list("service", flat=True)) == ["LEGAL", "PSYCHOSOCIAL"]
    assert set(p.areas.all()) == {gazetteer["south"], gazetteer["north_a"]}
    assert list(p.focal_points.all()) == [users["REFERRAL_FOCAL_POINT"]]
    assert p.available and p.contact == "+000 555 0142"
    event = AuditEvent.objects.get(action="provider.create", object_id=str(p.pk))
    assert event.user == users["SWPA"]
    assert "0142" not in str(event.detail)


def test_the_admin_edits_a_provider_and_a_service_unticked_becomes_inactive(users, login, clinic, gazetteer):
    response = login(users["ADMIN"]).post(f"/referrals/providers/{clinic.pk}/edit/", {
        "name": "Northmark Clinic", "provider_type": "HEALTH_FACILITY", "services": ["PSYCHOSOCIAL", "LEGAL"],
        "areas": [gazetteer["north"].pk], "availability_note": "Closed until repairs", "contact": CONTACT,
    })

    assert response.status_code == 302
    clinic.refresh_from_db()
    assert not clinic.available
    assert dict(clinic.services.values_list("service", "active")) == {
        "MEDICAL": False, "LEGAL": True, "PSYCHOSOCIAL": True}
    event = AuditEvent.objects.get(action="provider.change", object_id=str(clinic.pk))
    assert "available" in event.detail["fields"] and "services" in event.detail["fields"]


def test_areas_outside_the_country_and_non_focal_users_are_refused(users, login, mission, clinic):
    abroad = Location.objects.create(level=LocationLevel.COUNTRY, name="Otherland", pcode="OL")
    province = Location.objects.create(level=LocationLevel.ADMIN1, name="Farmark", pcode="OL01", parent=abroad)
    client = login(users["SWPA"])

    response = client.post("/referrals/providers/new/", {
        "name": "New NGO", "provider_type": "NGO", "areas": [province.pk], "focal_points": [users["WPA"].pk]})
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"areas", "focal_points"}
    duplicate = client.post("/referrals/providers/new/", {"name": "northmark clinic", "provider_type": "NGO"})
    assert duplicate.status_code == 400 and "name" in duplicate.context["form"].errors
    assert Provider.objects.count() == 1


def test_another_missions_provider_is_neither_listed_nor_editable(users, login, gazetteer, clinic):
    elsewhere = Mission.objects.create(code="ELSE", name="Elsewhere", country=gazetteer["country"])
    foreign = provider(elsewhere, "Foreign Clinic", [gazetteer["north"]], ["MEDICAL"])
    client = login(users["SWPA"])

    assert "Foreign Clinic" not in client.get("/referrals/providers/").content.decode()
    assert client.get(f"/referrals/providers/{foreign.pk}/edit/").status_code == 404


def test_the_form_offers_only_the_missions_focal_points_and_areas(users, login, gazetteer, mission):
    other_focal = make_user("focal2", Role.REFERRAL_FOCAL_POINT,
                            Mission.objects.create(code="OTH", name="Other", country=gazetteer["country"]))
    form = login(users["ADMIN"]).get("/referrals/providers/new/").context["form"]

    assert list(form.fields["focal_points"].queryset) == [users["REFERRAL_FOCAL_POINT"]]
    assert other_focal not in form.fields["focal_points"].queryset
    assert set(form.fields["areas"].queryset) == {gazetteer["north"], gazetteer["south"], gazetteer["north_a"],
                                                   gazetteer["south_b"]}


# ---- providers_for


@pytest.fixture
def medical(mission, gazetteer):
    elsewhere = Mission.objects.create(code="ELSE", name="Elsewhere", country=gazetteer["country"])
    return {
        "zeta": provider(mission, "Zeta Clinic", [gazetteer["north"]], ["MEDICAL"]),
        "alpha": provider(mission, "Alpha Hospital", [gazetteer["south_b"]], ["MEDICAL", "LEGAL"]),
        "delta": provider(mission, "Delta Health", [gazetteer["north_a"]], ["MEDICAL"]),
        "closed": provider(mission, "Beta Closed", [gazetteer["north_a"]], ["MEDICAL"], available=False),
        "stopped": provider(mission, "Gamma Stopped", [gazetteer["north_a"]], [], inactive=["MEDICAL"]),
        "legal": provider(mission, "Epsilon Legal", [gazetteer["north"]], ["LEGAL"]),
        "foreign": provider(elsewhere, "Foreign Clinic", [gazetteer["north"]], ["MEDICAL"]),
    }


def names_and_cover(result):
    return [(p.name, p.covers_area) for p in result]


def test_providers_for_a_locality_puts_its_territory_and_province_first(mission, gazetteer, medical):
    result = providers_for(mission, "MEDICAL", gazetteer["hamlet"])

    assert names_and_cover(result) == [("Delta Health", True), ("Zeta Clinic", True), ("Alpha Hospital", False)]


def test_a_territory_only_provider_does_not_cover_the_whole_province(mission, gazetteer, medical):
    result = providers_for(mission, "MEDICAL", gazetteer["north"])

    assert names_and_cover(result) == [("Zeta Clinic", True), ("Alpha Hospital", False), ("Delta Health", False)]


def test_providers_for_another_area_and_service(mission, gazetteer, medical):
    assert names_and_cover(providers_for(mission, "MEDICAL", gazetteer["south_b"])) == [
        ("Alpha Hospital", True), ("Delta Health", False), ("Zeta Clinic", False)]
    assert names_and_cover(providers_for(mission, "LEGAL", gazetteer["hamlet"])) == [
        ("Epsilon Legal", True), ("Alpha Hospital", False)]
    assert providers_for(mission, "SAFETY_SHELTER", gazetteer["hamlet"]) == []
    assert [p.covers_area for p in providers_for(mission.pk, "MEDICAL", None)] == [False, False, False]


def test_the_admin_manages_providers_in_the_django_admin_and_others_cannot(users, login, clinic):
    client = login(users["ADMIN"])

    assert client.get("/django-admin/referrals/provider/").status_code == 200
    change = client.get(f"/django-admin/referrals/provider/{clinic.pk}/change/")
    assert change.status_code == 200 and CONTACT in change.content.decode()
    assert login(users["SWPA"]).get("/django-admin/referrals/provider/").status_code in (302, 403)
