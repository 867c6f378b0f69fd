"""Screenshots of the main pages at phone (360 x 740) and desktop (1280 x 800) width, from synthetic data.

    .venv/bin/python docs/screenshots/take.py [--incidents N] [--only NAME ...]

Builds a throwaway SQLite demo database in a temporary folder (migrate, `seed_demo`, plus one alert,
referral, monthly analysis and quarterly report made through the services, all fictional), serves
it with `runserver` on a free port with the demo's settings (REQUIRE_2FA=0), signs in through the
login page as each demo user, and writes docs/screenshots/<page>-phone.png and -desktop.png. The
images are cut to the screen (not the whole page) and reduced to 256 colours, so the folder stays
small. Needs Debian's Chromium at /usr/bin/chromium; never touches db.sqlite3 or DATABASE_URL.
"""

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = Path(__file__).resolve().parent
CHROMIUM = "/usr/bin/chromium"
SIZES = {"phone": {"width": 360, "height": 740}, "desktop": {"width": 1280, "height": 800}}

# name, demo user (None: signed out), path (or a key of the objects made below), what it shows.
PAGES = [
    ("login", None, "/accounts/login/", "Sign in"),
    ("home", "wpa", "/", "A women's protection adviser's home page"),
    ("intake", "wpa", "/incidents/new/", "Recording an incident (intake form)"),
    ("incident-list", "wpa", "/incidents/", "Incidents of the adviser's duty station"),
    ("incident-detail", "wpa", "incident", "One incident, as its office reads it"),
    ("alert-form", "field_reporter", "/alerts/new/", "A field reporter's alert form"),
    ("mara-review", "mara_chair", "/mara/review/", "The MARA review queue"),
    ("monthly-analysis", "mara_chair", "analysis", "The MARA's monthly analysis"),
    ("referral-list", "wpa", "/referrals/", "Referrals to services"),
    ("dashboard", "leadership", "/mara/dashboard/", "Leadership dashboard: trends"),
    ("quarterly-report", "swpa", "report", "A quarterly report"),
    ("handover", "swpa", "/handover/", "Handing a duty station over"),
    ("help-consent", "wpa", "/help/consent/", "Guidance: how to take consent"),
]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def demo_environment(folder):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL")}
    env.update({"DATABASE_URL": f"sqlite:///{folder / 'demo.sqlite3'}", "REQUIRE_2FA": "0", "DEBUG": "1",
                "DJANGO_SETTINGS_MODULE": "crsv_mis.settings", "LANGUAGE_CODE": "en"})
    return env


def seed(env, incidents):
    python = sys.executable
    run = subprocess.run  # our own interpreter and fixed arguments throughout
    run([python, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)  # noqa: S603
    run([python, "manage.py", "seed_demo", "--incidents", str(incidents)], cwd=ROOT, env=env,  # noqa: S603
        check=True, stdout=subprocess.DEVNULL)
    # One object of each kind the demo does not seed, made through the services in a child process
    # (this one keeps no Django state), printed back as "key path" lines.
    out = run([python, "-c", EXTRAS], cwd=ROOT, env=env, check=True, capture_output=True, text=True)  # noqa: S603
    found = dict(line.split(" ", 1) for line in out.stdout.splitlines() if " /" in line)
    # The demo passwords come back as "password:<user> / <password>".
    return {key: value.removeprefix("/ ") if key.startswith("password:") else value for key, value in found.items()}


EXTRAS = r'''
import datetime, django
django.setup()
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from crsv_mis.models import User
from incidents import alerts
from incidents.models import Alert, Incident
from mara.services import analysis
from referrals import services as referrals
from referrals.models import Provider, ProviderService
from reporting import quarterly
from reporting.models import QuarterlyReport

users = {u.username: u for u in User.objects.all()}
wpa, today = users["wpa"], timezone.localdate()
incident = Incident.objects.filter(duty_station__in=wpa.duty_stations.all()).order_by("-reported_date", "-pk").first()
if not Alert.objects.exists():
    station = users["field_reporter"].duty_stations.get()
    alerts.submit_alert(by=users["field_reporter"], duty_station=station, location=incident.location,
                        observed_at=timezone.now() - datetime.timedelta(minutes=40), urgency="URGENT",
                        description="Synthetic demo alert: armed men seen near a water point.",
                        source_type="COMMUNITY_ALERT_NETWORK")
victim = incident.victims.first()
provider, made = Provider.objects.get_or_create(
    mission=wpa.mission, name="Demo clinic (synthetic)", defaults={"provider_type": "HEALTH_FACILITY",
                                                                   "contact": "+000 555 0100"})
if made:
    provider.areas.set([incident.admin2 or incident.location])
    ProviderService.objects.create(provider=provider, service="MEDICAL", active=True)
    provider.focal_points.set([users["referral_focal_point"]])
    referrals.create_referral(
        by=wpa, victim=victim, service="MEDICAL", provider=provider, urgency="EMERGENCY",
        note="Synthetic demo referral.", send=True, consent_given=True,
        consent_date=today - datetime.timedelta(days=1), consent_given_by="SURVIVOR", consent_decided_by="")
month = today.replace(day=1)
try:
    analysis.save_draft(by=users["mara_chair"], month=month, expected_version=0, fields={
        "patterns": "Synthetic demo analysis: reports concentrate on the roads to water points."})
except Exception:
    pass  # already drafted by an earlier run
year, quarter = quarterly.last_ended_quarter(today)
report = QuarterlyReport.objects.filter(mission=wpa.mission, year=year, quarter=quarter).first() or \
    QuarterlyReport.objects.create(mission=wpa.mission, year=year, quarter=quarter, version=1,
                                   generated_by=users["swpa"], figures=quarterly.build(wpa.mission, year, quarter),
                                   key_messages="Synthetic demo key messages.")
from incidents.management.commands.seed_demo import demo_password
for name in users:
    print(f"password:{name} /", demo_password(name))
print("incident", reverse("incident_detail", kwargs={"reference": incident.reference}))
print("analysis", reverse("analysis_month", kwargs={"month": month.strftime("%Y-%m")}))
print("report", reverse("report_detail", kwargs={"pk": report.pk}))
'''


def serve(env, port):
    command = [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"]
    server = subprocess.Popen(command, cwd=ROOT, env=env,  # noqa: S603 - our own interpreter, fixed arguments
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _attempt in range(120):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=2)
            return server
        except OSError:
            time.sleep(0.5)
    server.terminate()
    raise SystemExit("the demo server did not start")


def sign_in(page, base, username, password):
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{base}/")


def shrink(path):
    """256 colours: the pages are flat colours and text, so this halves or better the file size."""
    from PIL import Image

    with Image.open(path) as image:
        image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)


def take(base, objects, only):
    from playwright.sync_api import sync_playwright

    written = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"])
        for size, viewport in SIZES.items():
            phone = size == "phone"
            contexts = {}
            for name, user, path, _caption in PAGES:
                if only and name not in only:
                    continue
                if user not in contexts:
                    contexts[user] = browser.new_context(viewport=viewport, locale="en-GB", is_mobile=phone,
                                                         has_touch=phone)
                    if user:
                        sign_in(contexts[user].new_page(), base, user, objects[f"password:{user}"])
                page = contexts[user].new_page()
                response = page.goto(base + objects.get(path, path))
                assert response.status == 200, f"{name}: {response.status} at {page.url}"
                target = OUT / f"{name}-{size}.png"
                page.screenshot(path=str(target), full_page=False)
                shrink(target)
                written.append(target)
                page.close()
            for context in contexts.values():
                context.close()
        browser.close()
    return written


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--incidents", type=int, default=150)
    parser.add_argument("--only", nargs="*", default=[], help="page names, e.g. intake home")
    args = parser.parse_args()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="crsv-screens-") as folder:
        env = demo_environment(Path(folder))
        objects = seed(env, args.incidents)
        port = free_port()
        server = serve(env, port)
        try:
            written = take(f"http://127.0.0.1:{port}", objects, set(args.only))
        finally:
            server.terminate()
            server.wait(timeout=10)
    total = sum(path.stat().st_size for path in written)
    print(f"{len(written)} screenshots, {total / 1024:.0f} KiB, in {time.monotonic() - started:.0f}s: {OUT}")


if __name__ == "__main__":
    main()
