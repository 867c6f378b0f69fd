"""Text typed into a record that reaches a cell of the disclosure file stays text: a summary typed as a
formula, a party name starting with "@" or "+", a name starting with "-" come out inert."""

import io

from openpyxl import load_workbook

from incidents.models import Party
from tests.reporting.disclosure_fixtures import approve, ask, consenting, send, sent_file

FORMULA = '=HYPERLINK("http://example.invalid","y")'


def cells(data):
    book = load_workbook(io.BytesIO(data))
    return [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row if cell.value is not None]


def test_formulas_typed_into_a_record_come_out_as_text(users, make_incident, mission):
    at_party = Party.objects.create(mission=mission, name="@SUM(1+1)", party_type="NON_STATE_ARMED_GROUP")
    plus_party = Party.objects.create(mission=mission, name="+CMD|' /C calc'!A0", party_type="COMMUNITY_MILITIA")
    incident = make_incident(
        summary=FORMULA, victims=[consenting(name="-2+3", contact="=1+1")],
        perpetrators=[{"party": at_party, "party_type": at_party.party_type, "number": 1, "sex": "MALE"}])
    other = make_incident(
        victims=[consenting()],
        perpetrators=[{"party": plus_party, "party_type": plus_party.party_type, "number": 1, "sex": "MALE"}])
    data = sent_file(send(approve(ask(users["WPA"], [incident, other]), users["SWPA"]), users["WPA"]))

    found = {}
    for cell in cells(data):
        assert cell.data_type != "f", cell.value  # no cell is a formula
        for typed in (FORMULA, "@SUM(1+1)", "+CMD|", "-2+3", "=1+1"):
            if isinstance(cell.value, str) and typed in cell.value:
                found[typed] = cell.value
    assert found[FORMULA] == "'" + FORMULA
    assert found["-2+3"] == "'-2+3" and found["=1+1"] == "'=1+1"
    # The perpetrators cell starts with the party name, so its neutralised form starts with a quote.
    assert found["@SUM(1+1)"].startswith("'@SUM(1+1)")
    assert found["+CMD|"].startswith("'+CMD|")
