"""Schemathesis against the API's own OpenAPI schema (/api/v1/schema/, drf-spectacular), in process
through the WSGI application, with a real API token of every role: requests generated from the
schema, valid ones and invalid ones (wrong types, missing fields, values out of range), never get
a 500, and every answer is one the schema documents (status code, content type, body). The
generation is derandomised (the same requests every run) and kept small per operation,
so that the run stays within a few minutes on two CPUs.

Besides the generated requests, each role reads the real objects of a small mission (an incident,
a party, a place, a referral): generated path parameters mostly miss, and the bodies worth
checking are those of rows that exist.
"""

import datetime

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from crsv_mis.models import ApiToken
from referrals import services as referrals
from referrals.models import Provider, ProviderService

pytestmark = pytest.mark.django_db
ROLES = ["WPA", "HRO", "SWPA", "MARA_CHAIR", "MARA_MEMBER", "LEADERSHIP", "REFERRAL_FOCAL_POINT", "ADMIN",
         "AUDITOR", "FIELD_REPORTER"]
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = 5  # per operation and role
NEGATIVE_EXAMPLES = 3


@pytest.fixture
def mission_with_rows(users, make_incident, gazetteer, party, mission):
    incident = make_incident(incident_date=datetime.date(2026, 2, 10), reported_date=datetime.date(2026, 2, 20))
    clinic = Provider.objects.create(mission=mission, name="Clinic", provider_type="HEALTH_FACILITY", contact="c")
    clinic.areas.set([gazetteer["north_a"]])
    ProviderService.objects.create(provider=clinic, service="MEDICAL", active=True)
    referral = referrals.create_referral(
        by=users["WPA"], victim=incident.victims.first(), service="MEDICAL", provider=clinic, urgency="ROUTINE",
        note="n", send=True, consent_given=True, consent_date=timezone.localdate(), consent_given_by="SURVIVOR")
    return {"reference": incident.reference, "id": party.pk, "pcode": gazetteer["hamlet"].pcode,
            "referral": referral.pk}


@pytest.fixture
def connection_kept():
    # As Django's test client does: the WSGI handler would close the connection after each request,
    # and with it the test's transaction.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def api_schema(headers):
    # The schema itself is for signed-in callers only (401 to a visitor): fetched with the role's token.
    return schemathesis.openapi.from_wsgi("/api/v1/schema/", get_wsgi_application(), headers=headers)


def operations(schema):
    return [result.ok() for result in schema.get_all_operations()]


def path_parameters_of_rows(operation, rows):
    names = {p.name for p in operation.path_parameters}
    if not names:
        return {}
    if "reference" in names:
        return {"reference": rows["reference"]}
    if "pcode" in names:
        return {"pcode": rows["pcode"]}
    return {"id": rows["referral"] if "/referrals/" in operation.path else rows["id"]}


@pytest.mark.parametrize("role", ROLES)
def test_every_operation_answers_as_documented_for_the_role(role, users, mission_with_rows, connection_kept):
    _token, raw = ApiToken.issue(users[role], days=1)
    headers = {"Authorization": f"Token {raw}"}
    schema = api_schema(headers)
    found = operations(schema)
    assert len(found) >= 15, [o.label for o in found]

    read = {}
    tried = {GenerationMode.POSITIVE: [], GenerationMode.NEGATIVE: []}
    for operation in found:
        if operation.method.upper() == "GET":
            case = operation.Case(path_parameters=path_parameters_of_rows(operation, mission_with_rows))
            response = case.call(headers=headers)
            case.validate_response(response, checks=CHECKS)
            # The token is taken (a 401 everywhere would conform to the schema too).
            assert response.status_code != 401, operation.label
            read[operation.label] = response.status_code

        # Valid requests, then invalid ones (wrong types, missing fields, values out of range).
        for mode, examples in ((GenerationMode.POSITIVE, EXAMPLES), (GenerationMode.NEGATIVE, NEGATIVE_EXAMPLES)):
            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(max_examples=examples, derandomize=True, database=None, deadline=None,
                      suppress_health_check=list(HealthCheck))
            def answers_as_documented(case):
                case.validate_response(case.call(headers=headers), checks=CHECKS)

            try:
                answers_as_documented()
            except Unsatisfiable:
                # Nothing to get wrong (every path value and no body or query is a valid request).
                assert mode == GenerationMode.NEGATIVE, operation.label
                continue
            tried[mode].append(operation.label)

    assert len(tried[GenerationMode.POSITIVE]) == len(found)
    assert len(tried[GenerationMode.NEGATIVE]) >= 10, tried[GenerationMode.NEGATIVE]
    # Every role reads the gazetteer.
    assert read["GET /api/v1/locations/"] == read["GET /api/v1/locations/{pcode}/"] == 200
