#!/usr/bin/env python3
"""The coordinator's journey and a certificate's life, in real browsers at phone size.

A coordinator (made on the command line) chooses a password and makes the cohort "March
volunteers"; a learner opens its join link in another browser, starts as Rowan and passes
every module of the bundled course (the first in the browser, the rest over plain HTTP
with the browser's own cookies and the answer key from `groundwork compile`). The
coordinator finds Rowan in the roster (by cohort and by name), records attendance with a
reason, then (the course asks for it too) the naloxone practical's sign-off with a reason,
sees them complete, and downloads the roster as CSV. Rowan claims their certificate
as "Rowan Alvarez", and the printable page's QR code is read back with zbarimg; a signed-out
browser opens the address it holds and is told "Valid", with the course and dates but
nothing about the person.

Then the credential is checked by someone else's code: PyJWT verifies the .jwt against the
published JWKS, and the revocation list (itself a PyJWT-verified VC-JWT) is gunzipped by
hand. Six forgeries (alg none, HS256 keyed with the public key, an edited name, another
key with the same kid, and the real key's signature on an expired and a not-yet-valid
credential) must each be refused by PyJWT, by the verify page and by `groundwork verify
--jwks`. Last, the coordinator revokes the certificate: the verify page, the upload, the
status list bit and `groundwork verify` (with --data, and with --jwks --status-list) all
say revoked. axe runs on every new page type, and no page may scroll sideways.

No sleeps: every wait is for a new page (click_and_wait) or a URL.

Product bugs found here and not fixed yet are listed in KNOWN_CHECKS: still checked, and
printed when seen, but they don't fail the run unless COORDINATOR_JOURNEY_STRICT=1.

Usage: coordinator_journey.py --base http://127.0.0.1:8091 --link http://.../staff/welcome/TOKEN
       --course course.json --bin .build/debug/groundwork --data DATA_DIR --screenshots DIR
"""

import argparse
import base64
import copy
import csv
import gzip
import hashlib
import hmac
import http.client
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urljoin, urlparse

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from selenium.webdriver.common.by import By
from selenium.webdriver.common.print_page_options import PrintOptions
from selenium.webdriver.support.ui import Select

from learner_journey import (answer_until, browser, check_page, checked_pages, click_and_wait, drawn, expect, failures,
                             practical_section, present, question_key)
from staff_journey import choose_password

COHORT = "March volunteers"
LEARNER = "Rowan"
HOLDER = "Rowan Alvarez"
COORDINATOR = "Dana"
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CHECK_SYMBOLS = CROCKFORD + "*~$=U"
# The learner journey already ran axe on these and took their screenshots; the first module
# here goes through the same pages, so don't overwrite them.
ALREADY_CHECKED = {"question", "feedback", "start-questions"}
checked_pages.update(ALREADY_CHECKED)
# axe-core 3.1 (bundled with axe-selenium-python) wants every <dt> and <dd> directly in a
# <dl>; HTML allows a <div> around each name-value group, as the certificate and verify
# pages have. check_dl_groups checks the real rule instead.
DL_GROUP_RULES = ("dlitem",)

small_fields_seen = set()

# Product bugs this journey finds, reported and not yet fixed. Each is still checked, and
# printed as a known bug when seen, but doesn't fail the run; with COORDINATOR_JOURNEY_STRICT=1
# it does. Remove an entry once it's fixed (the run says when one is no longer seen).
#
# (none at the moment; option-placeholders, an option's label showing {{program.KEY}} as
# written, is fixed and checked strictly below)
STRICT = os.environ.get("COORDINATOR_JOURNEY_STRICT") == "1"
KNOWN_CHECKS = set()
known = {}  # bug: the messages seen, each once
seen_known = set()
PLACEHOLDER = re.compile(r"\{\{\s*program\.([A-Za-z0-9_-]+)\s*\}\}")
program = {}  # the course's program settings, from the compiled course


def expect_known(bug, condition, message):
    """Like expect, for a check that fails because of a known product bug (KNOWN_CHECKS);
    a bug no longer listed there is checked strictly."""
    if bug not in KNOWN_CHECKS:
        expect(condition, message)
        return
    if condition:
        return
    seen_known.add(bug)
    if STRICT:
        expect(False, message)
    elif message not in known.setdefault(bug, []):
        known[bug].append(message)
        if len(known[bug]) == 1:
            print(f"  known product bug ({bug}): {message} (further ones are counted at the end)")


def check_placeholders(text, page, where):
    """No {{program.KEY}} is shown as written: outside answer options it fails; in an option's
    label it is the known bug option-placeholders."""
    labels = [label for label in page.labels.values() if PLACEHOLDER.search(label)]
    outside = len(PLACEHOLDER.findall(text)) - sum(len(PLACEHOLDER.findall(label)) for label in labels)
    expect(outside <= 0, f"{where}: {outside} {{{{program.KEY}}}} placeholder(s) shown as written, outside the answer options")
    expect_known("option-placeholders", not labels, f"{where}: answer options shown with placeholders as written: {[squash(l) for l in labels]}")


def filled(label):
    """An option's label as it should read: a placeholder left in it (option-placeholders,
    reported by check_placeholders) filled with the program's value, to answer by the key."""
    return PLACEHOLDER.sub(lambda m: program.get(m.group(1), m.group(0)), label)


def check_dl_groups(driver, kind):
    """Every <dt> and <dd> is in a <dl>, directly or in a <div> that is (HTML's content model)."""
    stray = driver.execute_script("""
        return Array.from(document.querySelectorAll('dt, dd')).filter(e => {
          const p = e.parentElement;
          return !(p.tagName === 'DL' || (p.tagName === 'DIV' && p.parentElement && p.parentElement.tagName === 'DL'));
        }).length;""")
    expect(stray == 0, f"{kind}: {stray} <dt>/<dd> outside a <dl> or a <div> in one")


# MARK: Plain HTTP with a browser's cookies

class Http:
    """A small HTTP client carrying a browser's cookies. It follows redirects itself (GET
    after a 303, as a browser does) and keeps any cookie the server sets."""

    def __init__(self, base, cookies=()):
        self.base = base
        parsed = urlparse(base)
        self.host, self.port = parsed.hostname, parsed.port
        self.cookies = {c["name"]: c["value"] for c in cookies}

    def request(self, method, path, body=None, content_type=None, follow=True):
        """(status, headers, body bytes, final path)."""
        for _ in range(10):
            connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
            headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}
            if content_type:
                headers["Content-Type"] = content_type
            try:
                connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
                data = response.read()
            finally:
                connection.close()
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    self.cookies[name] = morsel.value
            location = response.headers.get("Location")
            if follow and response.status in (301, 302, 303) and location:
                path = urlparse(urljoin(self.base + path, location))._replace(scheme="", netloc="").geturl()
                method, body, content_type = "GET", None, None
                continue
            return response.status, response.headers, data, path
        raise RuntimeError(f"too many redirects from {path}")

    def get(self, path, follow=True):
        return self.request("GET", path, follow=follow)

    def post(self, path, fields, follow=True):
        return self.request("POST", path, body=urlencode(fields), content_type="application/x-www-form-urlencoded", follow=follow)

    def upload(self, path, name, filename, content):
        boundary = "----groundwork" + uuid.uuid4().hex
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\n"
                f"Content-Type: application/octet-stream\r\n\r\n").encode() + content.encode() + f"\r\n--{boundary}--\r\n".encode()
        return self.request("POST", path, body=body, content_type=f"multipart/form-data; boundary={boundary}")


class PageParser(HTMLParser):
    """What a learner's page offers: inputs, labels' text, selects and their options,
    `a.button` links and h1's text."""

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.inputs, self.labels, self.selects, self.buttons, self.h1 = [], {}, {}, [], ""
        self._label = self._select = self._option = None
        self._in_h1 = False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "input":
            self.inputs.append(a)
        elif tag == "label" and a.get("for"):
            self._label = a["for"]
            self.labels[self._label] = ""
        elif tag == "select":
            self._select = a.get("name", "")
            self.selects[self._select] = {"id": a.get("id", ""), "options": []}
        elif tag == "option" and self._select is not None:
            self._option = [a.get("value", ""), ""]
        elif tag == "a" and "button" in a.get("class", "").split():
            self.buttons.append(a.get("href", ""))
        elif tag == "h1":
            self._in_h1 = True

    def handle_endtag(self, tag):
        if tag == "label":
            self._label = None
        elif tag == "option" and self._option is not None:
            self.selects[self._select]["options"].append((self._option[0], squash(self._option[1])))
            self._option = None
        elif tag == "select":
            self._select = None
        elif tag == "h1":
            self._in_h1 = False

    def handle_data(self, data):
        if self._label is not None:
            self.labels[self._label] += data
        if self._option is not None:
            self._option[1] += data
        if self._in_h1:
            self.h1 += data

    def value(self, name):
        return next((i.get("value", "") for i in self.inputs if i.get("name") == name), None)

    def label(self, control_id):
        return squash(self.labels.get(control_id, ""))


def squash(text):
    return " ".join(text.split())


def form_answer(page, question):
    """The answer key's answer as form fields for the question on `page`."""
    kind, options = question["kind"], question["options"]
    if kind in ("single-choice", "select-all"):
        right = {squash(o["text"]) for o in options if o["correct"]}
        return [("answer", i["value"]) for i in page.inputs
                if i.get("name") == "answer" and i.get("type") in ("radio", "checkbox") and filled(page.label(i.get("id"))) in right]
    if kind == "ordering":
        order = [squash(o["text"]) for o in options]
        return [(name, str(order.index(filled(page.label(s["id"]))) + 1)) for name, s in page.selects.items() if name.startswith("position-")]
    if kind == "matching":
        targets = question["matchTargets"]
        by_left = {squash(o["text"]): squash(targets[o["match"]]) for o in options}
        fields = []
        for name, s in page.selects.items():
            if name.startswith("match-"):
                wanted = by_left[filled(page.label(s["id"]))]
                fields.append((name, next(v for v, text in s["options"] if text == wanted)))
        return fields
    if kind == "short-answer":
        return [("answer", question["acceptedAnswers"][0])]
    raise ValueError(f"no way to answer a {kind} question")


def pass_module_over_http(client, module):
    """Starts the module and answers every question with the answer key; the result's heading."""
    key = question_key(module)
    mid = module["id"]
    status, _, body, path = client.get(f"/modules/{mid}")
    csrf = PageParser(body.decode()).value("csrf")
    status, _, body, path = client.post(f"/modules/{mid}/attempts", [("csrf", csrf)])
    answered = 0
    for _ in range(200):
        if path.startswith(f"/modules/{mid}/result"):
            break
        page = PageParser(body.decode())
        item = page.value("item")
        if item is None:
            if not page.buttons:
                failures.append(f"{mid} over HTTP: stuck at {path} (status {status})")
                return ""
            status, _, body, path = client.get(page.buttons[0])
            continue
        question = key[(item, page.value("step") or "")]
        check_placeholders(body.decode(), page, f"{mid} over HTTP, {item}")
        fields = [("csrf", page.value("csrf")), ("item", item), ("step", page.value("step") or "")] + form_answer(page, question)
        status, _, body, path = client.post(f"/modules/{mid}/answers", fields)
        feedback = PageParser(body.decode())
        check_placeholders(body.decode(), feedback, f"{mid} over HTTP, the feedback on {item}")
        expect(path == f"/modules/{mid}/feedback" and "That's right" in feedback.h1,
               f"{mid} over HTTP: {item} answered with the key is right (at {path}, heading '{squash(feedback.h1)}')")
        answered += 1
        if not feedback.buttons:
            failures.append(f"{mid} over HTTP: no way on from the feedback on {item}")
            return ""
        status, _, body, path = client.get(feedback.buttons[0])
    expect(answered == drawn(module), f"{mid} over HTTP: answered the {drawn(module)} questions an attempt draws ({answered})")
    return squash(PageParser(body.decode()).h1)


# MARK: JWTs by hand

def b64u(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64u_json(value):
    return b64u(json.dumps(value, separators=(",", ":")).encode())


def unb64u(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def iso(moment):
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def epoch(text):
    return int(datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp())


def jwk_thumbprint(jwk):
    """RFC 7638: SHA-256 of the required members, sorted, no spaces."""
    canonical = json.dumps({"e": jwk["e"], "kty": jwk["kty"], "n": jwk["n"]}, separators=(",", ":"), sort_keys=True)
    return b64u(hashlib.sha256(canonical.encode()).digest())


def pyjwt_decode(token, key, **options):
    return jwt.decode(token, key, algorithms=["RS256"], options={"verify_aud": False, **options})


def status_bit(status_token, key, index):
    """The bit at `index` of the PyJWT-verified status list, or None when it doesn't verify."""
    try:
        claims = pyjwt_decode(status_token, key)
    except jwt.InvalidTokenError as error:
        failures.append(f"the status list credential doesn't verify with PyJWT: {error!r}")
        return None
    subject = claims["credentialSubject"]
    expect(subject.get("statusPurpose") == "revocation" and subject.get("type") == "BitstringStatusList",
           f"the status list is a revocation BitstringStatusList ({subject.get('type')}, {subject.get('statusPurpose')})")
    encoded = subject["encodedList"]
    expect(encoded.startswith("u"), "encodedList is multibase base64url (starts with 'u')")
    bits = gzip.decompress(unb64u(encoded[1:]))
    expect(len(bits) * 8 >= 131072, f"the list has at least 131,072 entries, for herd privacy ({len(bits) * 8})")
    return (bits[index // 8] >> (7 - index % 8)) & 1


# MARK: Pages

def result_of(html_text):
    """(verdict class, heading) of a verify page's #verify-result, or (None, None)."""
    match = re.search(r'class="card verify-result verify-([a-z-]+)"[^>]*id="verify-result"', html_text)
    heading = re.search(r'<h2 id="result-heading">(.*?)</h2>', html_text, re.S)
    return (match.group(1) if match else None, squash(heading.group(1)) if heading else None)


def shown_result(driver):
    found = driver.find_elements(By.CSS_SELECTOR, "#verify-result")
    if not found:
        return None, None
    classes = found[0].get_attribute("class").split()
    verdict = next((c[len("verify-"):] for c in classes if c.startswith("verify-") and c != "verify-result"), None)
    return verdict, found[0].find_element(By.CSS_SELECTOR, "h2").text.strip()


def facts(driver, css):
    """{dt: dd} of a <dl> of facts."""
    return {row.find_element(By.TAG_NAME, "dt").text.strip(): row.find_element(By.TAG_NAME, "dd").text.strip()
            for row in driver.find_elements(By.CSS_SELECTOR, f"{css} > div")}


def check_fields(driver, kind):
    """Every visible text field, select and file picker in main is at least 44 px high (the
    journeys' target size for buttons and links, for the controls people type into)."""
    small = driver.execute_script("""
        return Array.from(document.querySelectorAll('main input, main select, main textarea'))
          .filter(e => e.offsetParent !== null && !['hidden', 'checkbox', 'radio'].includes(e.type))
          .map(e => [e.id || e.name, e.getBoundingClientRect().height])
          .filter(([n, h]) => h < 44)
          .map(([n, h]) => '#' + n + ' (' + Math.round(h) + ' px)');""")
    small = [field for field in small if field not in small_fields_seen]  # each field once, on the first page it's on
    small_fields_seen.update(small)
    expect(not small, f"{kind}: fields under 44 px high: {', '.join(small)}")


def printed_text(driver):
    """The page's text as printed (print media emulated)."""
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        return driver.execute_script("return document.body.innerText")
    finally:
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})


def check(driver, kind, shots):
    """check_page (axe once per page type, target sizes, no sideways scrolling, a screenshot)
    with the real rule for <dl> groups in place of axe-core 3.1's, and the fields' height."""
    if kind in checked_pages:
        return
    has_dl = driver.execute_script("return document.querySelector('main dl') !== null")
    check_page(driver, kind, shots, skip_rules=DL_GROUP_RULES if has_dl else ())
    if has_dl:
        check_dl_groups(driver, kind)
    check_fields(driver, kind)


def roster_cell(driver, column):
    """The text of the roster's first row under the column headed `column`, or None."""
    headers = [th.text.strip() for th in driver.find_elements(By.CSS_SELECTOR, "table.roster thead th")]
    cells = driver.find_elements(By.CSS_SELECTOR, "table.roster tbody tr:first-child > *")
    return cells[headers.index(column)].text.strip() if column in headers and len(cells) == len(headers) else None


def roster_names(driver):
    return [th.text.strip() for th in driver.find_elements(By.CSS_SELECTOR, "table.roster tbody th")]


def filter_roster(driver, search=None, cohort=None, state=None):
    driver.find_element(By.ID, "filter-q").clear()
    if search:
        driver.find_element(By.ID, "filter-q").send_keys(search)
    Select(driver.find_element(By.ID, "filter-cohort")).select_by_visible_text(cohort or "All cohorts")
    Select(driver.find_element(By.ID, "filter-state")).select_by_value(state or "")
    click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "form.filters button[type=submit]"))


def pdf_pages(driver, width_cm, height_cm):
    options = PrintOptions()
    options.page_width, options.page_height = width_cm, height_cm
    pdf = base64.b64decode(driver.print_page(options))
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


def run_cli(binary, *arguments):
    done = subprocess.run([binary, "verify", *arguments], capture_output=True, text=True, timeout=60)
    return done.returncode, (done.stdout + done.stderr).strip()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--link", required=True, help="the coordinator's one-time sign-in link")
    parser.add_argument("--course", required=True, help="`groundwork compile Curriculum` output: the answer key")
    parser.add_argument("--bin", required=True, help="the groundwork binary, for `groundwork verify`")
    parser.add_argument("--data", required=True, help="the server's data folder (its issuer key, for `verify --data`)")
    parser.add_argument("--screenshots", required=True)
    args = parser.parse_args()
    os.makedirs(args.screenshots, exist_ok=True)
    base = args.base.rstrip("/")
    shots = args.screenshots
    with open(args.course) as handle:
        course = json.load(handle)
    modules = course["modules"]
    program.update(course["settings"].get("program") or {})
    _, _, practical_page = practical_section(course)
    if not practical_page:
        sys.exit("the course has no practical skill: this journey signs one off before the certificate")
    practical = practical_page["practical"]
    files = tempfile.mkdtemp(prefix="groundwork-credentials-")
    started = time.monotonic()
    first_day = datetime.now(timezone.utc).date().isoformat()  # with today's: a run across midnight (UTC) still passes
    drivers = []

    def open_browser():
        driver = browser()
        drivers.append(driver)
        return driver

    def save(name, text):
        path = os.path.join(files, name)
        with open(path, "w") as handle:
            handle.write(text)
        return path

    try:
        print("the coordinator: link, password, a cohort and its join link")
        coordinator = open_browser()
        choose_password(coordinator, args.link)
        expect(coordinator.current_url == base + "/staff", f"signed in at the staff home ({coordinator.current_url})")
        for href in ("/staff/learners", "/staff/cohorts", "/staff/certificates"):
            expect(bool(coordinator.find_elements(By.CSS_SELECTOR, f"main a.button[href='{href}']")), f"the staff home links to {href}")
        click_and_wait(coordinator, coordinator.find_element(By.CSS_SELECTOR, "main a.button[href='/staff/cohorts']"))
        check(coordinator, "staff-cohorts-empty", shots)
        coordinator.find_element(By.ID, "cohort-name").send_keys(COHORT)
        click_and_wait(coordinator, coordinator.find_element(By.CSS_SELECTOR, "form[action='/staff/cohorts'] button[type=submit]"))
        check(coordinator, "staff-cohorts", shots)
        expect(f"The cohort “{COHORT}” is ready" in coordinator.find_element(By.TAG_NAME, "main").text, "the new cohort is announced")
        coordinator.refresh()
        expect(not coordinator.find_elements(By.ID, "cohort-error"), "reloading after making a cohort doesn't send the form again")
        rows = [r for r in coordinator.find_elements(By.CSS_SELECTOR, "table.data tbody tr")
                if r.find_element(By.TAG_NAME, "th").text.strip() == COHORT]
        expect(len(rows) == 1, f"the cohorts table lists {COHORT} once ({len(rows)})")
        join_link = rows[0].find_element(By.CSS_SELECTOR, "code.link-url").text.strip() if rows else ""
        expect(re.fullmatch(re.escape(base) + r"/start/[0-9a-f]{16}", join_link) is not None, f"the join link is BASE/start/KEY ({join_link})")
        cohort_id = (urlparse(rows[0].find_element(By.CSS_SELECTOR, "th a").get_attribute("href")).query.split("cohort=", 1) + [""])[1] if rows else ""

        print("the learner: the join link, a name, and the first module in the browser")
        learner = open_browser()
        learner.get(join_link)
        check(learner, "welcome-cohort", shots)
        hidden = learner.find_elements(By.CSS_SELECTOR, "form[action^='/start'] input[name=cohort]")
        expect(bool(hidden) and join_link.endswith("/" + hidden[0].get_attribute("value")), "the start form carries the cohort's key")
        learner.find_element(By.ID, "name").send_keys(LEARNER)
        click_and_wait(learner, learner.find_element(By.CSS_SELECTOR, "form[action^='/start'] button"))
        expect(len(learner.find_element(By.CSS_SELECTOR, ".code strong").text.strip().split("-")) == 4, "a resume code is shown")
        click_and_wait(learner, learner.find_element(By.CSS_SELECTOR, "main a.button"))
        first = modules[0]
        click_and_wait(learner, learner.find_element(By.LINK_TEXT, first["title"]))
        click_and_wait(learner, learner.find_element(By.LINK_TEXT, "Start this module"))
        answer_until(learner, base, question_key(first), first["id"], None, shots)
        expect("/result" in learner.current_url and "passed" in learner.find_element(By.TAG_NAME, "h1").text,
               f"{first['id']} is passed in the browser ({learner.current_url})")

        print(f"the other {len(modules) - 1} modules over HTTP with the learner's cookies")
        rowan = Http(base, learner.get_cookies())
        for module in modules[1:]:
            heading = pass_module_over_http(rowan, module)
            expect("passed" in heading, f"{module['id']} is passed over HTTP (heading '{heading}')")
        learner.get(base + "/")
        states = [s.text for s in learner.find_elements(By.CSS_SELECTOR, "ol.modules .state")]
        expect(len(states) == len(modules) and all(s.startswith("Passed") for s in states), f"the course page shows every module passed ({states})")
        offer = learner.find_elements(By.ID, "certificate")
        expect(bool(offer) and not present(learner, "#certificate-name"),
               "no certificate before the group session and the practical's sign-off: the course asks for them")
        check(learner, "course-modules-passed", shots)

        print("the coordinator: the roster by cohort and by name, attendance, the CSV")
        coordinator.get(base + "/staff")
        click_and_wait(coordinator, coordinator.find_element(By.CSS_SELECTOR, "main a.button[href='/staff/learners']"))
        check(coordinator, "staff-learners", shots)
        filter_roster(coordinator, cohort=COHORT)
        expect([n.split(" (")[0] for n in roster_names(coordinator)] == [LEARNER], f"filtered by cohort, only {LEARNER} ({roster_names(coordinator)})")
        expect(f"cohort={cohort_id}" in coordinator.current_url, f"the cohort filter is in the address ({coordinator.current_url})")
        filter_roster(coordinator, search=LEARNER.lower())
        expect([n.split(" (")[0] for n in roster_names(coordinator)] == [LEARNER], f"filtered by name, only {LEARNER} ({roster_names(coordinator)})")
        filter_roster(coordinator, search=LEARNER, state="in progress")
        expect([n.split(" (")[0] for n in roster_names(coordinator)] == [LEARNER], f"{LEARNER} is in progress before the session ({roster_names(coordinator)})")
        filter_roster(coordinator, search=LEARNER, cohort=COHORT, state="complete")
        expect(roster_names(coordinator) == [], f"{LEARNER} isn't complete yet ({roster_names(coordinator)})")
        filter_roster(coordinator, search=LEARNER, cohort=COHORT)
        row_text = coordinator.find_element(By.CSS_SELECTOR, "table.roster tbody tr").text
        expect(f"{len(modules)} of {len(modules)}" in row_text and "In progress" in row_text,
               f"the roster row says {len(modules)} of {len(modules)}, in progress ({row_text})")
        expect(roster_cell(coordinator, "Practicals") == "0 of 1", f"the roster's Practicals column says 0 of 1 ({roster_cell(coordinator, 'Practicals')})")
        click_and_wait(coordinator, coordinator.find_element(By.CSS_SELECTOR, "table.roster tbody th a"))
        learner_path = urlparse(coordinator.current_url).path
        expect(re.fullmatch(r"/staff/learners/[0-9a-f]{16,}", learner_path) is not None, f"the learner's page ({learner_path})")
        check(coordinator, "staff-learner", shots)
        expect(coordinator.find_element(By.ID, "learner-state").text == "In progress", "the learner's page says in progress")
        today = datetime.now(timezone.utc).date().isoformat()
        days = {first_day, today}
        expect(coordinator.find_element(By.ID, "attendance-date").get_attribute("value") in days, f"the session's date defaults to today ({today})")
        coordinator.find_element(By.ID, "attendance-reason").send_keys("attended in person, phone not linked")
        click_and_wait(coordinator, coordinator.find_element(By.CSS_SELECTOR, f"form[action='{learner_path}/attendance'] button"))
        expect(urlparse(coordinator.current_url).path == learner_path and "done=attendance" in coordinator.current_url,
               f"back on the learner's page after recording ({coordinator.current_url})")
        notice = coordinator.find_elements(By.ID, "action-notice")
        expect(bool(notice) and notice[0].text == "Attendance recorded.", "'Attendance recorded.'")
        expect(f"recorded by {COORDINATOR}" in coordinator.find_element(By.CSS_SELECTOR, "section[aria-labelledby='attendance-heading']").text,
               "the session is listed as recorded by the coordinator")
        expect(coordinator.find_element(By.ID, "learner-state").text == "In progress",
               f"{LEARNER} is still in progress with the session: the course asks for the practical's sign-off too")
        learner.get(base + "/")
        note = present(learner, ".practical-note")
        expect(not present(learner, "#certificate-name") and bool(note) and note[0].text.startswith("Practical skills signed off: 0 of 1."),
               f"no certificate yet for {LEARNER}, whose course page says 0 of 1 practical skills ({note[0].text if note else 'no .practical-note'})")

        print(f"the coordinator records the {practical['title']} sign-off")
        practicals_card = "section[aria-labelledby='practicals-heading']"
        expect(f"{practical['title']}: not yet" in squash(coordinator.find_element(By.CSS_SELECTOR, practicals_card).text),
               f"the learner's page lists {practical['title']}: not yet")
        choices = [o.get_attribute("value") for o in coordinator.find_elements(By.CSS_SELECTOR, "#sign-off-practical option")]
        expect(choices == [practical["id"]], f"the sign-off form offers the one practical ({choices})")
        Select(coordinator.find_element(By.ID, "sign-off-practical")).select_by_value(practical["id"])
        expect(coordinator.find_element(By.ID, "sign-off-reason").get_attribute("required") is not None, "the sign-off's reason is required")
        coordinator.find_element(By.ID, "sign-off-reason").send_keys("observed by Sam at the March training, paper checklist")
        click_and_wait(coordinator, coordinator.find_element(By.CSS_SELECTOR, f"form[action='{learner_path}/practical'] button"))
        expect(urlparse(coordinator.current_url).path == learner_path and "done=practical" in coordinator.current_url,
               f"back on the learner's page after the sign-off ({coordinator.current_url})")
        notice = present(coordinator, "#action-notice")
        expect(bool(notice) and notice[0].text == "The practical skill is signed off.", f"'The practical skill is signed off.' ({notice[0].text if notice else ''})")
        expect(coordinator.find_element(By.ID, "learner-state").text == "Complete", f"{LEARNER} is complete")
        signed = squash(coordinator.find_element(By.CSS_SELECTOR, practicals_card).text)
        expect(f"{practical['title']}: signed off" in signed and f"by {COORDINATOR}" in signed and "paper checklist" in signed,
               f"the practical is listed as signed off by {COORDINATOR}, with the reason ({signed})")
        expect(not present(coordinator, f"form[action='{learner_path}/practical']"), "no sign-off form once every practical is signed off")
        coordinator.execute_script(f"document.querySelector({practicals_card!r}).scrollIntoView()")
        check(coordinator, "staff-learner-practical", shots)
        coordinator.get(base + "/staff/learners")
        filter_roster(coordinator, cohort=COHORT, state="complete")
        expect([n.split(" (")[0] for n in roster_names(coordinator)] == [LEARNER], f"filtered by complete, {LEARNER} ({roster_names(coordinator)})")
        expect(roster_cell(coordinator, "Practicals") == "1 of 1", f"the roster's Practicals column says 1 of 1 ({roster_cell(coordinator, 'Practicals')})")
        csv_link = coordinator.find_element(By.CSS_SELECTOR, "#roster-summary a[download]").get_attribute("href")
        expect(urlparse(csv_link).path == "/staff/learners.csv" and f"cohort={cohort_id}" in csv_link and "state=complete" in csv_link,
               f"the CSV link keeps the filters ({csv_link})")
        staff_http = Http(base, coordinator.get_cookies())
        status, headers, body, _ = staff_http.get(urlparse(csv_link)._replace(scheme="", netloc="").geturl())
        expect(status == 200 and headers.get("Content-Type", "").startswith("text/csv"), f"the CSV downloads ({status}, {headers.get('Content-Type')})")
        expect("attachment" in headers.get("Content-Disposition", ""), "the CSV comes as an attachment")
        expect(body.startswith(b"\xef\xbb\xbf"), "the CSV starts with a UTF-8 byte-order mark")
        expect(body.count(b"\n") == body.count(b"\r\n") > 1, "every CSV line ends with CRLF")
        table = list(csv.DictReader(io.StringIO(body[3:].decode("utf-8"), newline="")))
        mine = [r for r in table if r.get("display_name") == LEARNER]
        expect(len(mine) == len(table) == len(modules), f"the filtered CSV has a row per module for {LEARNER} only ({len(mine)} of {len(table)})")
        expect([r["module_id"] for r in mine] == [m["id"] for m in modules], "the rows are the course's modules, in order")
        expect(all(r["state"] == "passed" and int(r["best_score_percent"] or 0) >= 80 and r["passed_on"] in days for r in mine),
               "every module passed today at 80% or more")
        expect(all(r["cohort"] == COHORT and r["course_state"] == "complete" and r["group_sessions_attended"] == "1"
                   and r.get("practicals_signed_off") == "1 of 1" for r in mine),
               f"each row: the cohort, complete, 1 session, 1 of 1 practicals ({[(r['cohort'], r['course_state'], r['group_sessions_attended'], r.get('practicals_signed_off')) for r in mine][:1]})")
        status, _, _, path = Http(base).get("/staff/learners.csv", follow=False)
        expect(status in (303, 302, 401, 403), f"no CSV without a coordinator's sign-in (status {status})")

        print("the learner: the certificate, its printable page, the QR code")
        learner.get(base + "/")
        note = present(learner, ".practical-note")
        expect(bool(note) and note[0].text == "Practical skills signed off: 1 of 1.", f"the course page says 1 of 1 ({note[0].text if note else ''})")
        check(learner, "course-certificate-offer", shots)
        learner.find_element(By.ID, "certificate-name").send_keys(HOLDER)
        click_and_wait(learner, learner.find_element(By.CSS_SELECTOR, "form[action='/certificate'] button"))
        match = re.fullmatch(re.escape(base) + r"/certificates/([0-9A-Z]{5}-[0-9A-Z]{5}-[0-9A-Z*~$=])", learner.current_url)
        expect(match is not None, f"the printable certificate at /certificates/CODE ({learner.current_url})")
        code = match.group(1) if match else ""
        value = 0
        for char in code.replace("-", "")[:10]:
            value = value * 32 + CROCKFORD.index(char) if char in CROCKFORD else -10**9
        expect(value >= 0 and code[-1:] == CHECK_SYMBOLS[value % 37], f"the code's check character is right ({code})")
        check(learner, "certificate", shots)
        expect(learner.find_element(By.ID, "holder-name").text == HOLDER, "the certificate shows the name as typed")
        expect(learner.find_element(By.ID, "certificate-code").text == code, "the certificate shows its code")
        printed = learner.find_element(By.TAG_NAME, "main").text
        expect(course["settings"]["title"] in printed, "the certificate names the course")
        printed_facts = facts(learner, ".certificate-facts")
        expect(printed_facts.get("Issued") and printed_facts.get("Valid until") not in (None, "", "No end date"),
               f"the certificate shows its dates ({printed_facts})")
        on_paper = printed_text(learner)
        expect(HOLDER in on_paper and code in on_paper and "Back to the course" not in on_paper,
               "printed, the certificate has the name and code and not the page's links")
        for paper, (width, height) in {"A4": (21.0, 29.7), "Letter": (21.59, 27.94)}.items():
            pages = pdf_pages(learner, width, height)
            expect(pages == 1, f"the certificate prints on one {paper} page ({pages})")
        qr = learner.find_elements(By.CSS_SELECTOR, ".certificate-qr svg")
        expect(bool(qr), "the certificate has an inline SVG QR code")
        qr_png = os.path.join(shots, "certificate-qr.png")
        learner.find_element(By.CSS_SELECTOR, ".certificate-qr").screenshot(qr_png)
        scanned = subprocess.run(["zbarimg", "--raw", "-q", qr_png], capture_output=True, text=True, timeout=60)
        verify_url = scanned.stdout.strip()
        expect(scanned.returncode == 0 and verify_url == f"{base}/verify/{code}",
               f"zbarimg reads {base}/verify/{code} from the QR code (got '{verify_url}', exit {scanned.returncode})")
        expect(learner.find_element(By.CSS_SELECTOR, ".verify-url").text == f"{base}/verify/{code}", "the verify address is printed too")
        downloads = {a.get_attribute("href") for a in learner.find_elements(By.CSS_SELECTOR, ".certificate-tools a[download]")}
        expect({f"{base}/certificates/{code}/credential.jwt", f"{base}/certificates/{code}/credential.json"} <= downloads,
               f"the page links the .jwt and .json downloads ({downloads})")

        print("someone else, signed out, follows the QR code")
        verifier = open_browser()
        verifier.get(verify_url or f"{base}/verify/{code}")
        check(verifier, "verify-result", shots)
        verdict, heading = shown_result(verifier)
        expect((verdict, heading) == ("valid", "Valid"), f"the verify page says Valid ({verdict}, {heading})")
        checked = facts(verifier, ".verify-facts")
        expect(checked.get("Course") == course["settings"]["certificate"]["name"] or checked.get("Course") == course["settings"]["title"],
               f"the verify page names the course ({checked.get('Course')})")
        expect(checked.get("Issued") == printed_facts.get("Issued") and checked.get("Valid until") == printed_facts.get("Valid until"),
               f"the verify page's dates match the certificate's ({checked} vs {printed_facts})")
        expect(checked.get("Code") == code, "the verify page shows the code")
        expect(LEARNER not in verifier.page_source, f"the verify page says nothing about the person (no '{LEARNER}', no '{HOLDER}')")
        verifier.get(base + "/verify")
        check(verifier, "verify", shots)
        verifier.find_element(By.ID, "verify-code").send_keys(code.lower().replace("-", " "))
        click_and_wait(verifier, verifier.find_element(By.CSS_SELECTOR, "form[action='/verify'][method='get'] button"))
        expect(verifier.current_url == f"{base}/verify/{code}", f"a code typed in lower case with spaces finds it ({verifier.current_url})")
        verifier.get(base + "/verify")
        verifier.find_element(By.ID, "verify-code").send_keys(code.lower())
        click_and_wait(verifier, verifier.find_element(By.CSS_SELECTOR, "form[action='/verify'][method='get'] button"))
        expect(verifier.current_url == f"{base}/verify/{code}", f"a code typed in lower case finds it ({verifier.current_url})")
        wrong = code[:-1] + ("0" if code[-1] != "0" else "1")
        status, _, body, _ = Http(base).get("/verify?code=" + wrong)
        expect(status == 400 and "verify-error" in body.decode(), f"a code with a wrong check character is refused as mistyped ({status})")

        print("the credential files, with the learner's cookies")
        status, headers, body, _ = rowan.get(f"/certificates/{code}/credential.jwt")
        token = body.decode().strip()
        expect(status == 200 and token.count(".") == 2, f"the .jwt downloads ({status})")
        expect(headers.get("Content-Type", "").startswith("application/vc+jwt") and "attachment" in headers.get("Content-Disposition", ""),
               f"as an application/vc+jwt attachment ({headers.get('Content-Type')}, {headers.get('Content-Disposition')})")
        status, _, json_body, _ = rowan.get(f"/certificates/{code}/credential.json")
        readable = json.loads(json_body) if status == 200 else {}
        status, _, _, _ = Http(base).get(f"/certificates/{code}/credential.jwt", follow=False)
        expect(status != 200, f"signed out, the .jwt isn't handed out (status {status})")
        jwt_path = save("certificate.jwt", token)

        print("PyJWT checks the credential against the published JWKS")
        jwks_text = Http(base).get("/.well-known/jwks.json")[2].decode()
        jwks_path = save("jwks.json", jwks_text)
        jwks = json.loads(jwks_text)
        header = jwt.get_unverified_header(token)
        expect(header.get("alg") == "RS256" and header.get("typ") == "JWT" and header.get("kid"), f"the header is RS256, JWT, with a kid ({header})")
        jwk = next((k for k in jwks["keys"] if k.get("kid") == header.get("kid")), None)
        expect(jwk is not None and jwk.get("kty") == "RSA" and jwk.get("alg") == "RS256", "the JWKS has the header's kid, an RSA RS256 key")
        expect(jwk is not None and jwk_thumbprint(jwk) == jwk["kid"], "the kid is the key's RFC 7638 thumbprint")
        expect(jwk is not None and jwt.PyJWK(jwk).algorithm_name == "RS256", "PyJWK reads the key as RS256")
        public_key = jwt.algorithms.RSAAlgorithm.from_jwk(json.dumps(jwk))
        try:
            claims = pyjwt_decode(token, public_key)
        except jwt.InvalidTokenError as error:
            failures.append(f"PyJWT refuses the genuine credential: {error!r}")
            claims = json.loads(unb64u(token.split(".")[1]))
        expect(claims == readable, "the .json download is the .jwt's payload")
        issuer = claims.get("issuer", {})
        expect(issuer.get("id") == base + "/issuer" and claims.get("iss") == issuer.get("id"), f"iss is the issuer's id ({claims.get('iss')})")
        expect(claims.get("jti") == claims.get("id") and str(claims.get("id", "")).startswith("urn:uuid:"), "jti is the credential's urn:uuid id")
        expect(claims.get("exp") == epoch(claims["validUntil"]) and claims.get("nbf") == epoch(claims["validFrom"]),
               f"exp and nbf match validUntil and validFrom ({claims.get('exp')}, {claims.get('validUntil')})")
        expect(claims.get("type") == ["VerifiableCredential", "OpenBadgeCredential"], f"an OpenBadgeCredential ({claims.get('type')})")
        expect("https://www.w3.org/ns/credentials/v2" in claims.get("@context", []), "the VC 2.0 context")
        identifiers = claims.get("credentialSubject", {}).get("identifier", [])
        expect([(i.get("identityType"), i.get("identityHash")) for i in identifiers] == [("name", HOLDER)],
               f"the subject is identified by the name typed ({identifiers})")
        entry = claims.get("credentialStatus", {})
        expect(entry.get("type") == "BitstringStatusListEntry" and entry.get("statusPurpose") == "revocation"
               and entry.get("statusListCredential") == base + "/credentials/status/1", f"a revocation status entry ({entry})")
        index = int(entry.get("statusListIndex", "-1"))
        issued = datetime.fromtimestamp(claims["nbf"], timezone.utc)
        until = datetime.fromtimestamp(claims["exp"], timezone.utc)
        expect(abs((issued - datetime.now(timezone.utc)).total_seconds()) < 3600, f"issued just now ({claims['validFrom']})")
        expect(700 <= (until - issued).days <= 732, f"valid for 24 months ({claims['validFrom']} to {claims['validUntil']})")
        issuer_profile = json.loads(Http(base).get("/issuer")[2])
        expect(issuer_profile.get("id") == issuer.get("id") and issuer_profile.get("name") == issuer.get("name"),
               "the issuer's profile matches the credential's issuer")
        status_before = Http(base).get("/credentials/status/1")[2].decode().strip()
        expect(status_bit(status_before, public_key, index) == 0, f"the status list bit {index} is 0 before any revocation")
        code_ok, output = run_cli(args.bin, jwt_path, "--jwks", jwks_path, "--status-list", save("status-before.jwt", status_before))
        expect(code_ok == 0 and output.startswith("valid"), f"groundwork verify --jwks --status-list: the genuine file is valid (exit {code_ok}: {output[:200]})")
        code_ok, output = run_cli(args.bin, jwt_path, "--jwks", jwks_path)
        expect(code_ok == 0 and "not checked" in output, f"groundwork verify --jwks: valid, revocation not checked (exit {code_ok}: {output[:200]})")
        code_ok, output = run_cli(args.bin, os.path.join(files, "no-such-file.jwt"), "--jwks", jwks_path)
        expect(code_ok == 2, f"groundwork verify exits 2 for a file it can't read (exit {code_ok}: {output[:200]})")

        print("the genuine file uploaded to the verify page")
        verifier.get(base + "/verify")
        verifier.find_element(By.ID, "verify-file").send_keys(jwt_path)
        click_and_wait(verifier, verifier.find_element(By.CSS_SELECTOR, "form[enctype='multipart/form-data'] button"))
        check(verifier, "verify-result-upload", shots)
        expect(shown_result(verifier) == ("valid", "Valid"), f"the uploaded genuine file is Valid ({shown_result(verifier)})")
        expect(HOLDER not in verifier.page_source and LEARNER not in verifier.page_source,
               "the upload's result doesn't repeat the name the file carries")

        print("forgeries: PyJWT, the verify page and groundwork verify must all refuse them")
        head64, payload64, signature64 = token.split(".")
        with sqlite3.connect(f"file:{os.path.join(args.data, 'records.sqlite')}?mode=ro", uri=True, timeout=10) as db:
            pem = db.execute("SELECT pem FROM issuer_key WHERE name = 'issuer'").fetchone()[0]
        real_key = serialization.load_pem_private_key(pem.encode(), password=None)
        expect(real_key.public_key().public_numbers() == public_key.public_numbers(), "the stored key is the published one")

        def resigned(valid_from, valid_until, key=real_key):
            changed = copy.deepcopy(claims)
            changed["id"] = changed["jti"] = "urn:uuid:" + str(uuid.uuid4())
            changed["validFrom"], changed["nbf"] = iso(valid_from), int(valid_from.timestamp())
            changed["validUntil"], changed["exp"] = iso(valid_until), int(valid_until.timestamp())
            return jwt.encode(changed, key, algorithm="RS256", headers={"kid": header["kid"], "typ": "JWT"})

        now = datetime.now(timezone.utc).replace(microsecond=0)
        public_pem = public_key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        hs_input = b64u_json({"alg": "HS256", "typ": "JWT", "kid": header["kid"]}) + "." + payload64
        edited = copy.deepcopy(claims)
        edited["credentialSubject"]["identifier"][0]["identityHash"] = "Someone Else"
        # (name, token, the verify page's verdict and heading, PyJWT's exception, the CLI's first word)
        cases = [
            ("alg none, unsigned", b64u_json({"alg": "none", "typ": "JWT", "kid": header["kid"]}) + "." + payload64 + ".",
             ("invalid", "Not valid"), jwt.InvalidAlgorithmError, "not valid"),
            ("HS256 keyed with the public key's PEM", hs_input + "." + b64u(hmac.new(public_pem, hs_input.encode(), hashlib.sha256).digest()),
             ("invalid", "Not valid"), jwt.InvalidAlgorithmError, "not valid"),
            ("the name edited, the signature kept", head64 + "." + b64u_json(edited) + "." + signature64,
             ("invalid", "Not valid"), jwt.InvalidSignatureError, "not valid"),
            ("signed by another key with the same kid",
             resigned(now - timedelta(days=1), now + timedelta(days=365), rsa.generate_private_key(public_exponent=65537, key_size=2048)),
             ("invalid", "Not valid"), jwt.InvalidSignatureError, "not valid"),
            ("the real key, expired", resigned(now - timedelta(days=760), now - timedelta(days=30)),
             ("expired", "Expired"), jwt.ExpiredSignatureError, "expired"),
            ("the real key, not yet valid", resigned(now + timedelta(days=30), now + timedelta(days=760)),
             ("not-yet-valid", "Not yet valid"), jwt.ImmatureSignatureError, "not yet valid"),
        ]
        anonymous = Http(base)
        for number, (name, forged, page_says, pyjwt_error, cli_says) in enumerate(cases, 1):
            try:
                pyjwt_decode(forged, public_key)
                failures.append(f"forgery '{name}': PyJWT accepted it")
            except jwt.InvalidTokenError as error:
                expect(isinstance(error, pyjwt_error), f"forgery '{name}': PyJWT refuses it with {pyjwt_error.__name__} (got {error!r})")
            status, _, body, _ = anonymous.upload("/verify", "file", f"forged-{number}.jwt", forged)
            said = result_of(body.decode())
            expect(said == page_says, f"forgery '{name}': the verify page says {page_says} (got {said}, status {status})")
            exit_code, output = run_cli(args.bin, save(f"forged-{number}.jwt", forged), "--jwks", jwks_path)
            expect(exit_code == 1 and output.startswith(cli_says + ":"),
                   f"forgery '{name}': groundwork verify --jwks exits 1 saying '{cli_says}' (exit {exit_code}: {output[:160]})")
        # The date forgeries carry the real key's signature: only their dates are wrong.
        for name, forged, *_ in cases[4:]:
            try:
                pyjwt_decode(forged, public_key, verify_exp=False, verify_nbf=False)
            except jwt.InvalidTokenError as error:
                failures.append(f"'{name}' should verify with PyJWT once dates are ignored: {error!r}")
        # And the same re-signing with good dates is valid everywhere: the refusals above are about the forgeries.
        control = resigned(now - timedelta(days=1), now + timedelta(days=365))
        status, _, body, _ = anonymous.upload("/verify", "file", "control.jwt", control)
        expect(result_of(body.decode()) == ("valid", "Valid"), f"a credential re-signed with the real key and good dates is Valid ({result_of(body.decode())})")
        exit_code, output = run_cli(args.bin, save("control.jwt", control), "--jwks", jwks_path)
        expect(exit_code == 0, f"groundwork verify --jwks accepts the re-signed control (exit {exit_code}: {output[:160]})")
        status, _, body, _ = anonymous.upload("/verify", "file", "certificate.json", json_body.decode())
        expect(status == 400 and "Upload the .jwt" in body.decode(), f"the readable .json is refused with a pointer to the .jwt (status {status})")

        print("the coordinator revokes the certificate")
        coordinator.get(base + learner_path)
        summary = [s for s in coordinator.find_elements(By.CSS_SELECTOR, "details summary") if s.text.strip() == "Revoke this certificate"]
        expect(len(summary) == 1, "the learner's page offers to revoke the certificate")
        expect("Valid" in coordinator.find_element(By.CSS_SELECTOR, "ul.certificates").text, "the certificate is listed as valid")
        summary[0].click()
        coordinator.execute_script("document.getElementById('certificates-heading').scrollIntoView()")
        check(coordinator, "staff-learner-revoke", shots)
        coordinator.find_element(By.ID, f"revoke-{code}").send_keys("issued to the wrong person in a test")
        click_and_wait(coordinator, coordinator.find_element(By.CSS_SELECTOR, f"form[action='/staff/certificates/{code}/revoke'] button"))
        expect(urlparse(coordinator.current_url).path == learner_path and "done=revoked" in coordinator.current_url,
               f"back on the learner's page ({coordinator.current_url})")
        check(coordinator, "staff-learner-revoked", shots)
        expect("Revoked" in coordinator.find_element(By.CSS_SELECTOR, "ul.certificates").text, "the certificate is listed as revoked")
        expect(not [s for s in coordinator.find_elements(By.CSS_SELECTOR, "details summary") if s.text.strip() == "Revoke this certificate"],
               "no second revoke")
        coordinator.get(base + "/staff/certificates")
        check(coordinator, "staff-certificates", shots)
        coordinator.get(base + "/staff/audit")
        audit = coordinator.find_element(By.TAG_NAME, "main").text
        expect("certificate revoked" in audit and "issued to the wrong person in a test" in audit, "the audit log has the revocation and its reason")

        verifier.get(f"{base}/verify/{code}")
        check(verifier, "verify-result-revoked", shots)
        expect(shown_result(verifier) == ("revoked", "Revoked"), f"/verify/CODE says Revoked ({shown_result(verifier)})")
        verifier.get(base + "/verify")
        verifier.find_element(By.ID, "verify-file").send_keys(jwt_path)
        click_and_wait(verifier, verifier.find_element(By.CSS_SELECTOR, "form[enctype='multipart/form-data'] button"))
        expect(shown_result(verifier) == ("revoked", "Revoked"), f"the uploaded file says Revoked ({shown_result(verifier)})")
        status_after = Http(base).get("/credentials/status/1")[2].decode().strip()
        expect(status_bit(status_after, public_key, index) == 1, f"the status list bit {index} is 1 after the revocation")
        exit_code, output = run_cli(args.bin, jwt_path, "--data", args.data)
        expect(exit_code == 1 and output.startswith("revoked"), f"groundwork verify --data exits 1 saying revoked (exit {exit_code}: {output[:160]})")
        exit_code, output = run_cli(args.bin, jwt_path, "--jwks", jwks_path, "--status-list", save("status-after.jwt", status_after))
        expect(exit_code == 1 and output.startswith("revoked"),
               f"groundwork verify --jwks --status-list exits 1 saying revoked (exit {exit_code}: {output[:160]})")
        learner.get(base + "/")
        expect("withdrawn" in learner.find_element(By.ID, "certificate").text, "the learner's course page says the certificate was withdrawn")
        check(learner, "course-certificate-withdrawn", shots)
        learner.get(f"{base}/certificates/{code}")
        expect(bool(learner.find_elements(By.CSS_SELECTOR, ".certificate-tools .notice")), "the printable page warns that it was revoked")
        check(learner, "certificate-revoked", shots)
        expect("revoked" in printed_text(learner).lower(),
                     "printed, a revoked certificate says it is revoked")
    finally:
        for driver in drivers:
            try:
                driver.quit()
            except Exception:
                pass
        shutil.rmtree(files, ignore_errors=True)

    elapsed = time.monotonic() - started
    if known:
        print(f"\n{len(known)} known product bug(s) seen, reported, not failing the run (COORDINATOR_JOURNEY_STRICT=1 to fail):")
        for bug, messages in known.items():
            print(f"  - {bug}, seen {len(messages)} time(s): " + "; ".join(messages[:3]) + ("; …" if len(messages) > 3 else ""))
    gone = KNOWN_CHECKS - seen_known
    if gone:
        print(f"\nknown bug(s) not seen this run (intermittent, or fixed: then remove them): {', '.join(sorted(gone))}")
    if failures:
        print(f"\n{len(failures)} problem(s):")
        for failure in failures:
            print("  -", failure)
        return 1
    print(f"coordinator journey passed in {elapsed:.0f} s: a cohort, {len(modules)} modules, attendance, a practical's sign-off, the CSV, a certificate "
          f"read back from its QR code, PyJWT's checks, {len(cases)} forgeries refused three ways, and a revocation; "
          f"axe clean on {len(checked_pages - ALREADY_CHECKED)} page types" + (" but for the known bugs above" if known else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
