"""The injection tests' world is complete: every free-text field of the product's models (discovered,
less the generated identifiers) holds its attack in at least one row, so a page, PDF or spreadsheet
that shows any of them is tested with it."""

import pytest

from tests.security import injected_world

pytestmark = pytest.mark.django_db


def test_it_discovers_the_free_text_fields_including_the_encrypted_ones():
    labels = {label for _model, _field, label in injected_world.attacked_fields()}
    assert {"incidents.Incident.narrative", "incidents.Victim.name", "referrals.Referral.note",
            "reporting.QuarterlyReport.key_messages", "incidents.Party.name"} <= labels
    assert len(labels) >= 60


def test_every_free_text_field_holds_an_attack(world):
    missing = [label for model, field, label in injected_world.attacked_fields()
               if not any(injected_world.holds_an_attack(v, label, field.max_length)
                          for v in model.objects.values_list(field.name, flat=True))]
    assert missing == [], missing
