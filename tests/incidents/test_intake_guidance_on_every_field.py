"""Every field of the intake page carries its guidance next to it: what to record (help text), what
never to record, and why, in the element the input's aria-describedby points to. The fields are
read from the forms, so a new field without guidance fails here."""

import html
import re

import pytest

from incidents import guidance
from incidents.forms import IncidentForm, PerpetratorForm, VictimForm

pytestmark = pytest.mark.django_db

# Fields of no content a person fills in: the edit version, the victim row id.
NOT_FILLED_IN = {"version", "id"}


def fields_of(form_class):
    return [name for name, field in form_class.base_fields.items()
            if name not in NOT_FILLED_IN and not field.widget.is_hidden]


def guidance_block(page, auto_id):
    match = re.search(rf'<p class="help" id="{re.escape(auto_id)}_helptext">(.*?)</p>', page, re.S)
    assert match, f"no guidance next to {auto_id}"
    return html.unescape(match.group(1))


@pytest.mark.parametrize(("form_class", "table", "prefix"), [
    (IncidentForm, guidance.INCIDENT, "id_"), (VictimForm, guidance.VICTIM, "id_victims-0-"),
    (PerpetratorForm, guidance.PERPETRATOR, "id_perpetrators-0-")])
def test_every_intake_field_has_what_to_record_what_never_to_and_why(login, users, form_class, table, prefix):
    page = login(users["WPA"]).get("/incidents/new/").content.decode()

    names = fields_of(form_class)
    assert names
    for name in names:
        field = form_class.base_fields[name]
        assert name in table, f"{form_class.__name__}.{name} has no never/why guidance in incidents/guidance.py"
        never, why = (str(text) for text in table[name])
        assert field.help_text and never and why, name
        block = guidance_block(page, f"{prefix}{name}")
        assert str(field.help_text) in block and never in block and why in block, name
        described = re.search(rf'aria-describedby="{re.escape(prefix + name)}_helptext"', page)
        assert described, f"{name}: the input does not point at its guidance"


def test_the_guidance_tables_name_no_field_the_forms_lack():
    for form_class, table in ((IncidentForm, guidance.INCIDENT), (VictimForm, guidance.VICTIM),
                              (PerpetratorForm, guidance.PERPETRATOR)):
        assert set(table) <= set(fields_of(form_class)), form_class.__name__


def test_the_guidance_is_in_french_for_a_french_officer(login, users):
    users["WPA"].language = "fr"
    users["WPA"].save()

    page = login(users["WPA"]).get("/incidents/new/").content.decode()

    block = guidance_block(page, "id_narrative")
    assert "jamais" in block.lower()
    assert "Never more than the survivor agreed" not in block and "most sensitive text" not in block
