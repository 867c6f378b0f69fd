"""What mission spreadsheets really hold: French labels and headers, F/M, day-first dates, a
semicolon delimiter, a party's alias, a place code or path, Excel date cells."""

import datetime

import pytest

from tests.incidents.import_files import day, good_row, imported, write_csv, write_xlsx

pytestmark = pytest.mark.django_db

def test_french_labels_and_f_m_are_read_as_codes(tmp_path, users, party):
    row = good_row(site_type="Champ ou ferme", forms="Viol (y compris viol collectif); Esclavage sexuel",
                   conflict_nexus="L'auteur est une partie ou un acteur armé",
                   source_type="Entretien avec la survivante",
                   source_sex="F", perpetrator_sex="M", victim_sex="Féminin", victim_displacement="Déplacé interne",
                   victim_disability="Non", shared_under_isp="non", consents="Enregistrer l'information")
    incident = imported(users["SWPA"], write_csv(tmp_path / "fr.csv", [row])).incidents.get()
    assert incident.site_type == "FIELD_OR_FARM" and incident.conflict_nexus == "PERPETRATOR_ARMED_ACTOR"
    assert sorted(incident.forms.values_list("code", flat=True)) == ["RAPE", "SEXUAL_SLAVERY"]
    assert (incident.source_type, incident.source_sex) == ("SURVIVOR_INTERVIEW", "FEMALE")
    assert incident.perpetrators.get().sex == "MALE"
    victim = incident.victims.get()
    assert (victim.sex, victim.displacement, victim.disability) == ("FEMALE", "IDP", "NO")
    assert [c.kind for c in victim.consents.all() if c.active] == ["RECORD"]


def test_day_first_dates_in_every_written_form_and_excel_date_cells(tmp_path, users, party):
    d = day(40)
    rows = [good_row(incident_date=d.strftime("%d/%m/%Y"), victim_age="21"),
            good_row(incident_date=d.strftime("%d.%m.%Y"), victim_age="22"),
            good_row(incident_date=d.strftime("%d-%m-%Y"), victim_age="23"),
            good_row(incident_date=d.isoformat(), victim_age="24"),
            good_row(incident_date=datetime.datetime.combine(d, datetime.time()), victim_age="26"),
            good_row(incident_date=d.strftime("%m/%Y"), victim_age="27")]
    # The same incident six times over: confirmed, or they would be held back as duplicates.
    incidents = imported(users["SWPA"], write_xlsx(tmp_path / "dates.xlsx", rows),
                         include_duplicates=True).incidents.order_by("source_row")
    assert [i.incident_date for i in incidents][:5] == [d] * 5
    assert incidents[5].incident_date == d.replace(day=1)


def test_a_month_written_alone_gives_month_precision(tmp_path, users, party):
    d = day(60)
    row = good_row(incident_date=d.strftime("%m/%Y"), date_precision="")
    incident = imported(users["SWPA"], write_csv(tmp_path / "m.csv", [row])).incidents.get()
    assert (incident.incident_date, incident.incident_date_precision) == (d.replace(day=1), "MONTH")


def test_party_alias_place_code_and_path_are_found(tmp_path, users, party, gazetteer):
    rows = [good_row(perpetrator_party="tf", location="TL0201", victim_age="31",
                     summary="One woman reported an attack in Birchford territory."),
            good_row(perpetrator_party="  TEST front ", location="Ashdale / Quillby", victim_age="32")]
    first, second = imported(users["SWPA"], write_csv(tmp_path / "alias.csv", rows)).incidents.order_by("source_row")
    assert first.perpetrators.get().party == party and first.location == gazetteer["south_b"]
    assert second.perpetrators.get().party_type == "NON_STATE_ARMED_GROUP"
    assert second.location == gazetteer["hamlet"]


def test_french_headers_and_a_semicolon_delimiter(tmp_path, users, party):
    from incidents.imports.columns import COLUMNS

    path = write_csv(tmp_path / "excel-fr.csv", [good_row()], delimiter=";",
                     header=[c.label_fr for c in COLUMNS])
    incident_import = imported(users["SWPA"], path)
    assert incident_import.state == "DONE" and incident_import.incidents_written == 1
