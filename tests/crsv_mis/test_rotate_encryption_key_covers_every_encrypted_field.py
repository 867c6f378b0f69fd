"""rotate_encryption_key covers every column that holds a Fernet token: the columns it finds by field
class are the only ones where the product's records leave tokens, and nothing in the code encrypts
into a field of another class. A model that gets an encrypted field the command would not see fails
here."""

import ast
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.http import QueryDict
from django.utils import timezone

from crsv_mis.keyrotation import PROTECTED_FIELD_CLASSES, protected_tables
from crsv_mis.models import TOTPDevice
from incidents import drafts
from incidents.imports import services as imports
from incidents.models import Alert
from tests.reporting.disclosure_fixtures import approve, ask, consenting, send

ROOT = Path(__file__).resolve().parents[2]
FERNET_TOKEN = "gAAAAA"  # version byte 0x80 and the high bytes of the timestamp, base64


def covered_columns():
    return {(t.table, f.column) for t in protected_tables() for f in t.fields}


def field_names(classes):
    return {f.name for model in apps.get_models(include_auto_created=True) for f in model._meta.get_fields()
            if isinstance(f, classes)}


def test_every_field_of_an_encrypted_class_on_every_model_is_covered():
    fields = {(m._meta.db_table, f.column) for m in apps.get_models(include_auto_created=True)
              for f in m._meta.local_concrete_fields if isinstance(f, PROTECTED_FIELD_CLASSES)}
    assert fields and fields == covered_columns()


def encrypting_calls():
    """(file, line, field the token goes to or None) for every direct Fernet encryption in the code."""
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if relative.startswith((".venv/", "tests/", "benchmarks/")) or "/migrations/" in relative:
            continue
        if relative in ("crsv_mis/encryption.py", "crsv_mis/keyrotation.py", "lifecycle/archive_file.py"):
            continue  # the field classes themselves, the rotation, and the archive's own key
        tree = ast.parse(path.read_text())
        parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "encrypt" and "fernet" in ast.unparse(node.func.value)):
                continue
            parent = parents.get(node)
            target = None
            if isinstance(parent, ast.keyword):
                target = parent.arg
            elif isinstance(parent, ast.Assign) and isinstance(parent.targets[0], ast.Attribute):
                target = parent.targets[0].attr
            yield relative, node.lineno, target


def test_every_direct_encryption_in_the_code_goes_into_a_covered_field():
    calls = list(encrypting_calls())
    assert calls  # the disclosure file at least
    protected_names = field_names(PROTECTED_FIELD_CLASSES)
    for relative, line, target in calls:
        assert target in protected_names, (
            f"{relative}:{line} encrypts into {target or 'something'} that rotate_encryption_key does not cover: "
            "store it in an EncryptedTextField or EncryptedBinaryField")


@pytest.fixture
def every_kind_of_record(users, stations, gazetteer, make_incident):
    """One record of each kind that holds encrypted values, made the way the product makes them,
    and demo incidents written in bulk (raw rows, encrypted by hand)."""
    incident = make_incident(victims=[consenting(name="Testname Kept", contact="+000 555 0333")])
    send(approve(ask(users["WPA"], [incident]), users["SWPA"]), users["WPA"])
    imports.upload(by=users["SWPA"], file_name="synthetic.csv", data=b"incident_date,summary\n2026-01-01,x\n")
    drafts.save(by=users["WPA"], post=QueryDict(f"duty_station={stations['north'].pk}&narrative=Synthetic"))
    Alert.objects.create(mission=incident.mission, duty_station=stations["north"], reference="ALERT-T-1",
                         reported_by=users["FIELD_REPORTER"], observed_at=timezone.now(),
                         location=gazetteer["hamlet"], admin1=gazetteer["north"], description="Synthetic signal",
                         urgency="HIGH", source_type="SURVIVOR_INTERVIEW")
    TOTPDevice.objects.create(user=users["WPA"], name="authenticator")
    call_command("seed_demo", incidents=5, stdout=open("/dev/null", "w"))  # noqa: SIM115


def text_and_binary_columns():
    """Every (table, column, field class) of the database that can hold text or bytes, read by Django's
    introspection so that the search runs on SQLite as on PostgreSQL."""
    kinds = {"CharField", "TextField", "BinaryField", "JSONField"}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            for column in connection.introspection.get_table_description(cursor, table):
                try:
                    kind = connection.introspection.get_field_type(column.type_code, column)
                except KeyError:
                    continue  # a type Django maps to no field holds no text
                if kind in kinds:
                    yield table, column.name, kind


def holds_a_token(table, column, kind):
    name = connection.ops.quote_name(column)
    if connection.vendor != "postgresql":
        found = f"CAST({name} AS TEXT) LIKE %s"
    elif kind == "BinaryField":
        found = f"encode({name}, 'escape') LIKE %s"
    else:
        found = f"{name}::text LIKE %s"  # jsonb as its text, so a token inside a document is found
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {connection.ops.quote_name(table)} WHERE {found})",  # noqa: S608
                       [f"%{FERNET_TOKEN}%"])
        return bool(cursor.fetchone()[0])


@pytest.mark.django_db
def test_tokens_are_found_only_in_the_columns_the_command_covers(every_kind_of_record):
    holding = {(table, column) for table, column, kind in text_and_binary_columns()
               if holds_a_token(table, column, kind)}
    covered = covered_columns()
    assert holding - covered == set()
    # Not vacuous: the records left tokens in most of the covered tables, files and drafts included.
    assert {"reporting_disclosurefile", "incidents_importfile", "incidents_intakedraft", "incidents_alert",
            "incidents_victim", "reporting_disclosure", "crsv_mis_totpdevice"} <= {table for table, _ in holding}
