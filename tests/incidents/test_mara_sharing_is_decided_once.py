"""One rule decides whether the MARA reads an incident (incidents.sharing.shareable_with_mara), and the
record form and the import apply it alike: every victim consents to sharing with the MARA, and the
record was not received under an information-sharing protocol (that stays with the human rights roles).
"""

import pytest

from crsv_mis import access
from incidents import services
from incidents.models import Incident
from incidents.sharing import shareable_with_mara
from tests.conftest import incident_fields, victim_data
from tests.incidents.import_files import good_row, imported, write_csv

WITHOUT_MARA = ["RECORD", "REFER"]


def test_it_shares_only_when_every_victim_consents_outside_a_protocol():
    assert shareable_with_mara(shared_under_isp=False, consents_per_victim=[{"SHARE_MARA"}, {"SHARE_MARA", "REFER"}])
    assert not shareable_with_mara(shared_under_isp=False, consents_per_victim=[{"SHARE_MARA"}, {"REFER"}])
    assert not shareable_with_mara(shared_under_isp=True, consents_per_victim=[{"SHARE_MARA"}])
    assert not shareable_with_mara(shared_under_isp=False, consents_per_victim=[])


@pytest.mark.django_db
def test_the_form_and_the_import_decide_alike(tmp_path, users, stations, party, gazetteer, make_incident):
    path = write_csv(tmp_path / "sharing.csv", [
        good_row(),
        good_row(incident_key="K2", shared_under_isp="Yes"),
        good_row(incident_key="K3", consents="RECORD;REFER"),
    ])
    incident_import = imported(users["SWPA"], path, include_duplicates=True)
    assert incident_import.state == "DONE", incident_import.error
    from_file = [i.mara_shareable for i in Incident.objects.filter(source_import=incident_import)
                 .order_by("source_row")]
    from_form = [make_incident().mara_shareable, make_incident(shared_under_isp=True).mara_shareable,
                 make_incident(victims=[victim_data(consent_kinds=WITHOUT_MARA)]).mara_shareable]
    assert from_file == from_form == [True, False, False]


@pytest.mark.django_db
def test_a_withdrawn_consent_takes_the_record_out_of_the_mara_list(users, stations, gazetteer, make_incident):
    incident = make_incident()
    assert access.incidents_visible_to(users["MARA_CHAIR"]).filter(pk=incident.pk).exists()
    services.update_incident(
        incident, by=users["WPA"], expected_version=incident.version,
        fields=incident_fields(stations["north"], gazetteer["hamlet"], incident_date=incident.incident_date),
        form_codes=["RAPE"], victims=[victim_data(consent_kinds=WITHOUT_MARA)],
        perpetrators=[{"party": None, "party_type": "UNKNOWN", "number": None, "sex": "UNKNOWN"}])
    assert not Incident.objects.get(pk=incident.pk).mara_shareable
    assert not access.incidents_visible_to(users["MARA_CHAIR"]).filter(pk=incident.pk).exists()
