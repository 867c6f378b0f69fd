"""A session ends SESSION_IDLE_SECONDS after the last request its person made. A progress page
reloads itself every two seconds while its job runs: those reloads are not activity, so a page left
open on a job that never ends does not keep the session alive."""

import re
import time

import pytest

from reporting.models import JobState, ReportJob

pytestmark = pytest.mark.django_db
REFRESH = re.compile(r'<meta http-equiv="refresh" content="(\d+)(?:; url=([^"]*))?">')


def follow_refresh(client, path, html):
    """What the browser does when the page's refresh fires: load its target."""
    match = REFRESH.search(html)
    assert match, "the page does not refresh itself"
    target = match.group(2)
    return client.get(path + target if target and target.startswith("?") else target or path)


def signed_out(response):
    return response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.fixture
def running_job(mission):
    return ReportJob.objects.create(mission=mission, year=2026, quarter=1, state=JobState.RUNNING, progress=10,
                                    step="Comparing with earlier quarters")


def test_it_ends_a_session_whose_page_only_refreshes_itself(login, users, running_job, settings):
    settings.SESSION_IDLE_SECONDS = 1
    client = login(users["MARA_MEMBER"])
    path = f"/reports/jobs/{running_job.pk}/"
    page = client.get(path)
    assert page.status_code == 200

    deadline = time.monotonic() + 1.6
    while time.monotonic() < deadline and page.status_code == 200:
        time.sleep(0.3)
        page = follow_refresh(client, path, page.content.decode())

    assert signed_out(page)
    assert signed_out(client.get("/"))


def test_it_keeps_a_session_whose_person_goes_on_working(login, users, running_job, settings):
    settings.SESSION_IDLE_SECONDS = 2
    client = login(users["MARA_MEMBER"])

    deadline = time.monotonic() + 2.6
    while time.monotonic() < deadline:
        assert client.get(f"/reports/jobs/{running_job.pk}/").status_code == 200
        time.sleep(0.3)

    assert client.get("/").status_code == 200
