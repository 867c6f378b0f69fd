"""Checked incidents -> rows in the database, all in the caller's transaction.

What create_incident does for one incident, done for many at once: references taken as one block
per year under the counter's row lock (services.reserve_references, held until the import commits,
so a failed import leaves no gap in the numbering), admin1/admin2 copied from the place, a victim
code each, one consent row per use (given or refused), victim_count and mara_shareable set, and the
rollup months marked stale once for the whole import (send_changed). Rows go in by COPY on
PostgreSQL (incidents/bulk.py): 100,000 rows in seconds rather than minutes.
"""

from django.db import connection
from django.utils import timezone

from ..bulk import CONSENT_FIELDS, INCIDENT_FIELDS, PERPETRATOR_FIELDS, THROUGH_FIELDS, VICTIM_FIELDS, Table
from ..choices import ConsentKind, VerificationStatus
from ..models import Consent, Incident, Perpetrator, Victim, new_victim_code, victim_group_of
from ..services import reserve_references
from ..sharing import shareable_with_mara
from ..signals import send_changed

BATCH = 5000


def _victim_codes(count):
    """`count` new pseudonymous codes, unique in the file and in the database."""
    codes = set()
    while len(codes) < count:
        fresh = {new_victim_code() for _ in range(count - len(codes))} - codes
        for start in range(0, len(fresh), BATCH):
            part = list(fresh)[start:start + BATCH]
            fresh -= set(Victim.objects.filter(code__in=part).values_list("code", flat=True))
        codes |= fresh
    return list(codes)


def write(planned, *, mission, by, incident_import, progress=None):
    """Write the planned incidents (checking.Planned); returns their number. The caller holds the
    transaction: anything raised here leaves nothing written."""
    if not planned:
        return 0
    per_year = {}
    for p in planned:
        year = p.fields["reported_date"].year
        per_year[year] = per_year.get(year, 0) + 1
    # References rise with the order of the file within each year.
    next_seq = reserve_references(mission, per_year)
    tables = {
        "incidents": Table(Incident, INCIDENT_FIELDS), "victims": Table(Victim, VICTIM_FIELDS),
        "consents": Table(Consent, CONSENT_FIELDS), "perpetrators": Table(Perpetrator, PERPETRATOR_FIELDS),
        "forms": Table(Incident.forms.through, THROUGH_FIELDS),
    }
    encrypt = Incident._meta.get_field("narrative").get_prep_value
    adapt_date = connection.ops.adapt_datefield_value
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    codes = iter(_victim_codes(sum(len(p.victims) for p in planned)))
    done = 0
    for start in range(0, len(planned), BATCH):
        batch = planned[start:start + BATCH]
        incident_ids = tables["incidents"].allocate_ids(len(batch))
        victim_ids = iter(tables["victims"].allocate_ids(sum(len(p.victims) for p in batch)))
        rows = {name: [] for name in tables}
        for p, incident_id in zip(batch, incident_ids, strict=True):
            f = p.fields
            year = f["reported_date"].year
            reference = f"{mission.code}-{year}-{next_seq[year]:05d}"
            next_seq[year] += 1
            shareable = shareable_with_mara(shared_under_isp=f["shared_under_isp"],
                                            consents_per_victim=[v["consent_kinds"] for v in p.victims])
            place = f["location"]
            rows["incidents"].append((
                incident_id, mission.pk, f["duty_station"].pk, reference, 1, by.pk, now, now,
                adapt_date(f["incident_date"]), f["incident_date_precision"], adapt_date(f["incident_date_end"]),
                adapt_date(f["reported_date"]), place.pk, place.admin1_id, place.admin2_id,
                encrypt(f["coordinates"]), f["site_type"], f["conflict_nexus"], f["source_type"], f["source_sex"],
                f["source_reliability"], f["source_credibility"], f["shared_under_isp"], encrypt(f["narrative"]),
                f["summary"], VerificationStatus.REPORTED.value, shareable, len(p.victims), None, None, "",
                incident_import.pk, p.first_row, None, by.pk,
            ))
            for code in p.form_codes:
                rows["forms"].append((incident_id, code))
            perp = p.perpetrator
            rows["perpetrators"].append((incident_id, perp["party"].pk if perp["party"] else None,
                                         perp["party_type"], perp["number"], perp["sex"]))
            for v in p.victims:
                victim_id = next(victim_ids)
                rows["victims"].append((
                    victim_id, incident_id, next(codes), v["sex"], v["age_years"], v["age_group"],
                    victim_group_of(v["sex"], v["age_group"]).value, v["displacement"], v["disability"],
                    encrypt(v["name"]), encrypt(v["contact"]), encrypt(v["previously_interviewed_by"]),
                ))
                decided_by = encrypt(v["consent_decided_by"])
                consent_date = adapt_date(v["consent_date"])
                for kind in ConsentKind.values:
                    rows["consents"].append((victim_id, kind, kind in v["consent_kinds"], v["consent_given_by"],
                                             decided_by, consent_date, by.pk, None))
        for name in ("incidents", "victims", "consents", "perpetrators", "forms"):
            tables[name].insert(rows[name])
        done += len(batch)
        if progress:
            progress(done, len(planned))
    send_changed(mission.pk, *{p.fields["incident_date"] for p in planned})
    return len(planned)
