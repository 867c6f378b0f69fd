"""Locust users for the load run (benchmarks/load/run.py starts them; see its docstring).

Five kinds of user, each logged in through the real login form (CSRF token and all):
- an officer recording incidents: GET the intake page, POST a complete incident with the form's
  CSRF token, follow the redirect to the new record;
- an officer reading: the incident list (a random page of their duty stations) and an incident
  from it;
- the SWPA reading the whole mission: list and detail;
- the MARA chair: the trends dashboard and the de-identified data set (XLSX) of a month;
- leadership: the released quarterly report, as PDF and as XLSX.

Each request is named after the action ("intake GET", "detail", ...) so the table groups by action.
The demo passwords are the ones `manage.py seed_demo` sets (`demo-<username>-2026`).
"""

import datetime
import os
import random
import re
from html.parser import HTMLParser

from locust import HttpUser, between, task

# Set by run.py: the released report (pk) and a month of the data set.
REPORT_PK = os.environ.get("LOAD_REPORT_PK", "")
EXPORT_MONTH = os.environ.get("LOAD_EXPORT_MONTH", "")
REFERENCE = re.compile(r'href="/incidents/([A-Z0-9-]+)/"')
SUMMARY = "Synthetic load-test record: one woman reported an attack by armed men on a farm road."


class FormValues(HTMLParser):
    """The inputs of a page's forms (the CSRF token) and the options of its selects."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.values, self.options, self._select = {}, {}, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "input" and a.get("name") and a.get("type") not in ("submit", "button", "checkbox", "radio"):
            self.values[a["name"]] = a.get("value", "")
        elif tag == "select":
            self._select = a.get("name")
            self.options[self._select] = []
        elif tag == "option" and self._select and a.get("value"):
            self.options[self._select].append(a["value"])

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def form_values(html):
    parser = FormValues()
    parser.feed(html)
    return parser


class LoggedIn(HttpUser):
    abstract = True
    username = ""
    wait_time = between(1, 3)

    def on_start(self):
        page = form_values(self.client.get("/accounts/login/", name="login GET").text)
        response = self.client.post("/accounts/login/", name="login POST", data={
            "csrfmiddlewaretoken": page.values["csrfmiddlewaretoken"],
            "username": self.username, "password": f"demo-{self.username}-2026",
        })
        if "/accounts/login/" in response.url:
            raise RuntimeError(f"login failed for {self.username}")

    def read_list_and_detail(self):
        page = random.randint(1, 40)  # noqa: S311 - load pattern, not security
        listing = self.client.get(f"/incidents/?page={page}", name="list")
        references = REFERENCE.findall(listing.text)
        if references:
            self.client.get(f"/incidents/{random.choice(references)}/", name="detail")  # noqa: S311


class RecordingOfficer(LoggedIn):
    """Records incidents from the intake form, as a WPA does after an interview."""

    weight = 10
    username = "wpa"

    @task
    def record_incident(self):
        page = form_values(self.client.get("/incidents/new/", name="intake GET").text)
        today = datetime.date.today()
        data = {
            "csrfmiddlewaretoken": page.values["csrfmiddlewaretoken"],
            "duty_station": page.options["duty_station"][0],
            "incident_date_precision": "DAY",
            "incident_date": (today - datetime.timedelta(days=10)).isoformat(),
            "reported_date": (today - datetime.timedelta(days=3)).isoformat(),
            "location": random.choice(page.options["location"]),  # noqa: S311
            "site_type": "FIELD_OR_FARM", "forms": ["RAPE"], "conflict_nexus": "PERPETRATOR_ARMED_ACTOR",
            "source_type": "SURVIVOR_INTERVIEW", "source_sex": "FEMALE", "source_reliability": "B",
            "source_credibility": "2", "summary": SUMMARY, "narrative": "Synthetic narrative for the load test.",
            "victims-TOTAL_FORMS": "1", "victims-INITIAL_FORMS": "0", "victims-MIN_NUM_FORMS": "1",
            "victims-MAX_NUM_FORMS": "1000", "victims-0-sex": "FEMALE", "victims-0-age_years": "30",
            "victims-0-age_group": "25-39", "victims-0-displacement": "IDP", "victims-0-disability": "NO",
            "victims-0-name": "Loadtest Alpha", "victims-0-consent_kinds": ["RECORD", "SHARE_MARA"],
            "victims-0-consent_date": (today - datetime.timedelta(days=3)).isoformat(),
            "victims-0-consent_given_by": "SURVIVOR",
            "perpetrators-TOTAL_FORMS": "1", "perpetrators-INITIAL_FORMS": "0", "perpetrators-MIN_NUM_FORMS": "1",
            "perpetrators-MAX_NUM_FORMS": "1000", "perpetrators-0-party": page.options["perpetrators-0-party"][0],
            "perpetrators-0-number": "2", "perpetrators-0-sex": "MALE",
        }
        with self.client.post("/incidents/new/", data=data, name="intake POST", catch_response=True) as response:
            # A saved record redirects to its page; the form again (200 on /incidents/new/) is a refusal.
            if not re.search(r"/incidents/[A-Z0-9-]+/$", response.url):
                response.failure(f"intake not saved: ended on {response.url}")

    @task(2)
    def read(self):
        self.read_list_and_detail()


class ReadingOfficer(LoggedIn):
    weight = 15
    username = "hro"

    @task
    def read(self):
        self.read_list_and_detail()


class SeniorAdviser(LoggedIn):
    weight = 10
    username = "swpa"

    @task
    def read(self):
        self.read_list_and_detail()


class MaraChair(LoggedIn):
    weight = 10
    username = "mara_chair"

    @task(3)
    def dashboard(self):
        self.client.get("/mara/dashboard/", name="dashboard")

    @task
    def deidentified_export(self):
        self.client.get("/reports/deidentified/", name="download de-identified XLSX",
                        params={"from": EXPORT_MONTH, "to": EXPORT_MONTH, "format": "xlsx"})


class Leadership(LoggedIn):
    weight = 5
    username = "leadership"

    @task
    def report_pdf(self):
        self.client.get(f"/reports/{REPORT_PK}/download/external/pdf/", name="download report PDF")

    @task
    def report_xlsx(self):
        self.client.get(f"/reports/{REPORT_PK}/download/external/xlsx/", name="download report XLSX")
