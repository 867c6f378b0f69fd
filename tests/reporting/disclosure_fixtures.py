"""Shared steps of the disclosure tests: a request made, approved and sent through the service, the
file opened with openpyxl."""

import io

from django.utils import timezone
from openpyxl import load_workbook

from reporting import disclosures
from tests.conftest import victim_data

JUSTICE = ["RECORD", "SHARE_MARA", "SHARE_JUSTICE"]
ALL_ITEMS = ["SUMMARY", "DATES_PLACE", "PERPETRATORS", "NARRATIVE", "VICTIM_PROFILE", "VICTIM_IDENTITY"]
REQUEST = {"recipient": "Office of the prosecutor, Northmark", "recipient_reference": "TL-PR-0001",
           "legal_basis": "Letter of request under the status-of-mission agreement",
           "purpose": "Investigation of attacks on farms in Ashdale territory."}


def consenting(**overrides):
    return victim_data(consent_kinds=JUSTICE, **overrides)


def not_consenting(**overrides):
    return victim_data(consent_kinds=["RECORD", "SHARE_MARA"], **overrides)


def ask(user, incidents, items=ALL_ITEMS, **overrides):
    return disclosures.request_disclosure(by=user, items=items, references=[i.reference for i in incidents],
                                          **{**REQUEST, **overrides})


def approve(disclosure, by):
    return disclosures.approve(disclosure, by=by, expected_version=disclosure.version)


def send(disclosure, by, channel="SECURE_TRANSFER"):
    return disclosures.send(disclosure, by=by, expected_version=disclosure.version, sent_on=timezone.localdate(),
                            channel=channel)


def sent_file(disclosure):
    data, _stored = disclosures.stored_bytes(disclosure)
    return data


def sheets(data):
    """{sheet title: [dict per row]} (About: [list per row])."""
    book = load_workbook(io.BytesIO(data))
    result = {}
    for sheet in book.worksheets:
        rows = list(sheet.iter_rows(values_only=True))
        if sheet.title == "About":
            result["About"] = rows
        else:
            header, *body = rows
            result[sheet.title] = [dict(zip(header, row, strict=True)) for row in body]
    return result


def all_text(data):
    book = load_workbook(io.BytesIO(data))
    return "\n".join(str(c) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)
                     for c in row if c is not None)
