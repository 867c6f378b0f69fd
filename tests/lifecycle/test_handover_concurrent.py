"""Two handovers of the same officer's work at the same station at once (two threads, two
PostgreSQL connections): one moves everything, the other is refused; no item is moved twice, split
between the two, or lost."""

import threading

import pytest
from django.db import connection

from lifecycle import handover
from tests.lifecycle.handover_fixtures import held_by

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def test_it_lets_one_of_two_simultaneous_handovers_move_everything(users, stations, work, new_officer):
    station, wpa, swpa = stations["north"], users["WPA"], users["SWPA"]
    held = held_by(wpa)
    open_work = {kind: ids for kind, ids in held.items()}
    targets = [new_officer, users["HRO"]]
    fingerprints = [handover.preview(swpa, station, wpa, incoming)[1] for incoming in targets]
    start = threading.Barrier(2)
    outcomes = [None, None]

    def hand_over(i):
        try:
            start.wait()
            handover.reassign(by=swpa, station=station, outgoing=wpa, incoming=targets[i],
                              expected_fingerprint=fingerprints[i])
            outcomes[i] = "moved"
        except handover.HandoverRefused as refused:
            outcomes[i] = refused
        finally:
            connection.close()

    threads = [threading.Thread(target=hand_over, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(map(str, outcomes)).count("moved") == 1, outcomes
    winner = targets[outcomes.index("moved")]
    loser = targets[1 - outcomes.index("moved")]
    moved = held_by(winner)
    assert {kind: moved[kind] & open_work[kind] for kind in moved} == {
        "incidents": {work["open_incident"].pk, work["under_verification"].pk},
        "referrals": {work["open_referral"].pk, work["quiet_referral"].pk},
        "action_points": {work["overdue_point"].pk, work["later_point"].pk}}
    assert all(not (held_by(loser)[kind] & open_work[kind]) for kind in open_work)
    left = held_by(wpa)
    assert all(not (left[kind] & moved[kind]) for kind in left)
