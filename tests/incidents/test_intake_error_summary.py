"""An intake sent with mistakes comes back with a summary at the top: "There is a problem", one link per
error (incident, victim and perpetrator fields; whole-form errors first) to a control that is on the page,
the title starting "Error:"; a fresh form has none; a French user reads it in French."""

import re

from tests.incidents.test_intake_validation import MSG_NO_SEX, NEW_URL, intake_post, victim_row

SUMMARY_BOX = re.compile(r'<div class="error-summary"[^>]*>(.*?)</div>', re.S)
LINK = re.compile(r'<a href="#([^"]+)">([^<]*)</a>')
ITEM = re.compile(r"<li>(.*?)</li>", re.S)


def summary_of(html):
    found = SUMMARY_BOX.findall(html)
    assert len(found) == 1, "exactly one error summary"
    return found[0]


def title_of(html):
    return re.search(r"<title>(.*?)</title>", html, re.S).group(1).strip()


def broken_intake(stations, gazetteer, party):
    """No conflict nexus, no form of violence, a victim without a sex, a perpetrator with nothing."""
    data = intake_post(stations["north"], gazetteer["hamlet"], party, victim=victim_row(sex=""),
                       perpetrator={"party": "", "party_type": "", "number": "2", "sex": "MALE"},
                       conflict_nexus="")
    del data["forms"]
    return data


def test_it_lists_every_error_at_the_top_with_a_link_to_its_control(client, users, login, stations, gazetteer,
                                                                    party):
    login(users["WPA"])
    response = client.post(NEW_URL, broken_intake(stations, gazetteer, party))

    assert response.status_code == 400
    html = response.content.decode()
    box = summary_of(html)
    assert "There is a problem" in box
    assert 'role="alert"' in html.split('class="error-summary"')[1].split(">")[0]
    assert 'tabindex="-1"' in html.split('class="error-summary"')[1].split(">")[0]
    # Before the form: on a phone it is what the user sees first.
    assert html.index('class="error-summary"') < html.index('<form method="post" novalidate class="intake"')
    intake = response.context["intake"]
    errors = (sum(len(e) for e in intake.incident.errors.values())
              + sum(len(e) for f in intake.victims.forms for e in f.errors.values())
              + sum(len(e) for f in intake.perpetrators.forms for e in f.errors.values()))
    links = LINK.findall(box)
    assert len(ITEM.findall(box)) == errors >= 4
    targets = [target for target, _ in links]
    assert {"id_conflict_nexus", "id_forms_0", "id_victims-0-sex"} <= set(targets)
    assert any(t.startswith("id_perpetrators-0-") for t in targets)
    assert (MSG_NO_SEX in [text for target, text in links if target == "id_victims-0-sex"]
            or "Give the victim&#x27;s sex" in box)
    for target in targets:
        assert f'id="{target}"' in html, f"the link to #{target} lands on nothing"
    assert title_of(html).startswith("Error: Record an incident")


def test_it_lists_whole_form_errors_first(client, users, login, stations, gazetteer, party):
    login(users["WPA"])
    data = broken_intake(stations, gazetteer, party)
    data["victims-TOTAL_FORMS"] = "0"  # no victim at all: an error of the whole victims formset
    for key in [k for k in data if k.startswith("victims-0-")]:
        del data[key]
    response = client.post(NEW_URL, data)

    box = summary_of(response.content.decode())
    first = ITEM.findall(box)[0]
    assert "<a " not in first, "a whole-form error has no single control to link to"
    assert str(response.context["intake"].victims.non_form_errors()[0]).replace("'", "&#x27;") in first


def test_a_fresh_form_has_no_summary_and_a_plain_title(client, users, login):
    login(users["WPA"])
    html = client.get(NEW_URL).content.decode()

    assert 'class="error-summary"' not in html
    assert "error-summary.js" not in html
    assert title_of(html).startswith("Record an incident")


def test_a_french_user_reads_the_summary_in_french(client, users, login, stations, gazetteer, party):
    users["WPA"].language = "fr"
    users["WPA"].save(update_fields=["language"])
    login(users["WPA"])
    response = client.post(NEW_URL, broken_intake(stations, gazetteer, party))

    html = response.content.decode()
    box = summary_of(html)
    assert "Il y a un problème" in box
    assert "There is a problem" not in box
    assert title_of(html).startswith("Erreur : ")
