#!/usr/bin/env python3
"""A facilitated group session in real browsers (headless Chromium): one facilitator on a
laptop, the projector in a second laptop-sized window, and three participants on phones.

The facilitator (made on the command line) follows their one-time link, chooses a password
and opens a session over one module; the projector shows the join code and a QR code; three
phones join with the code (one with a nickname, one signed in to the course first); the
facilitator moves to the first poll and the phones follow by themselves (server-sent
events); they answer, one changes their answer; the projector counts answers without showing
what anyone chose; the facilitator reveals, blanks and unblanks the projector with the B key,
and ends the session. The signed-in participant linked their course, and a phone not signed
in linked another learner's (Lee's) by typing Lee's resume code. On the way to the poll the
room practises giving nasal naloxone; the facilitator, on their phone, opens the sign-off page,
signs Lee off first with a step missing (refused, the ticks kept), then with every step; after
the end they sign Jo off from the ended session's page. Jo's and Lee's course pages then count
the session and the practical, and Lee's practical page says who signed them off and when;
another phone says the session has ended; the old code no longer joins. axe runs on every
participant page type (and the control, projector and sign-off views), no page may scroll
sideways, and every page type is screenshotted.

No sleeps: every wait is for a URL, a marker element, an attribute or a text of the new page.

Product bugs found here and not fixed yet are listed in KNOWN_AXE and KNOWN_CHECKS: still
checked, and printed when seen, but they don't fail the run unless GROUP_JOURNEY_STRICT=1.

Usage: group_journey.py --base http://127.0.0.1:8091 --link http://.../staff/welcome/TOKEN --screenshots DIR
"""

import argparse
import os
import re
import sys
from urllib.parse import urlparse

from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from learner_journey import LAPTOP, PHONE, browser, check_page, checked_pages, click_and_wait, expect, failures, full_shot, present, size
from staff_journey import choose_password

# Product bugs this journey finds, reported and not yet fixed. Each is still checked, and
# printed as a known bug when seen, but doesn't fail the run; with GROUP_JOURNEY_STRICT=1 it
# does. Remove an entry once it's fixed (the run says when one is no longer seen).
STRICT = os.environ.get("GROUP_JOURNEY_STRICT") == "1"
KNOWN_AXE = {}
KNOWN_CHECKS = set()
known = []
seen_known = set()

MODULE = "overdose-response"
TIMEOUT = 15  # seconds for any one wait: a page, a live update
PARTICIPANTS = 3


def until(driver, condition, message, timeout=TIMEOUT):
    """Waits for `condition(driver)` to be truthy; on a timeout records `message`, with where
    the browser is, and returns None."""
    try:
        return WebDriverWait(driver, timeout, poll_frequency=0.05, ignored_exceptions=(WebDriverException,)).until(condition)
    except WebDriverException:
        try:
            where = driver.execute_script(
                "var v = document.querySelector('[data-version]');"
                "return location.pathname + ' ' + document.readyState + ', version ' + (v && v.getAttribute('data-version'))"
                " + ', body class \\'' + document.body.className + '\\', h1 \\'' + ((document.querySelector('h1') || {}).textContent || '').trim() + '\\'';")
        except WebDriverException as error:
            where = f"unknown ({error.__class__.__name__})"
        failures.append(f"timed out after {timeout} s: {message} (at {where})")
        print(f"  FAIL: timed out: {message} (at {where})")
        return None


def js(script):
    """A wait condition from a JavaScript expression, evaluated afresh on every poll (so it
    never holds an element of an old page)."""
    return lambda d: d.execute_script("return " + script)


def loaded(marker):
    """The page has finished loading and has the marker (a CSS selector)."""
    return js(f"document.readyState === 'complete' && document.querySelector({marker!r}) !== null")


def text_of(driver, css):
    found = present(driver, css)
    return found[0].text.strip() if found else ""


def response_status(driver):
    """The HTTP status of the page the browser shows."""
    return driver.execute_script("var n = performance.getEntriesByType('navigation')[0]; return n ? n.responseStatus : null;")


def with_cookies_of(source, driver, base):
    """Signs `driver` in as whoever `source` is signed in as, by copying its cookies."""
    driver.get(base + "/health")
    for cookie in source.get_cookies():
        driver.add_cookie({"name": cookie["name"], "value": cookie["value"], "path": cookie.get("path", "/")})


def sign_off_entry(driver, name):
    """The sign-off page's <details> for the learner called `name`, or None."""
    for details in present(driver, "details.sign-off"):
        summary = details.find_element(By.TAG_NAME, "summary").text.strip()
        if summary == name or summary.startswith(name + " ·"):
            return details
    return None


def tick(driver, details, indexes):
    """Ticks the steps at `indexes` (0-based) in a sign-off entry, by clicking their labels."""
    for box in details.find_elements(By.CSS_SELECTOR, "input[name=step]"):
        if int(box.get_attribute("value")) in indexes and not box.is_selected():
            driver.find_element(By.CSS_SELECTOR, f"label[for='{box.get_attribute('id')}']").click()


def ticked(details):
    return {int(box.get_attribute("value")) for box in details.find_elements(By.CSS_SELECTOR, "input[name=step]") if box.is_selected()}


def submit_sign_off(driver, details, name, what):
    """Presses 'Sign off NAME' and waits for the sign-off page the POST answers with."""
    button = details.find_element(By.CSS_SELECTOR, "button[type=submit]")
    expect(button.text.strip() == f"Sign off {name}", f"the button says 'Sign off {name}' (got '{button.text.strip()}')")
    click_and_wait(driver, button)
    until(driver, loaded("#sign-off-heading"), f"the sign-off page after {what}")


def check(driver, kind, shots, window, skip_rules=()):
    """check_page (axe, target sizes, no sideways scrolling, a screenshot) for a browser of
    the given window size: several browsers of different sizes are open at once. A failure
    that is a known product bug (KNOWN_AXE) is set aside unless STRICT."""
    size[:] = window
    # From its top: a page that live.js reloaded keeps the old page's scroll (see
    # reload-scroll), and axe itself scrolls while it checks contrast.
    driver.execute_script("window.scrollTo(0, 0)")
    start = len(failures)
    check_page(driver, kind, shots, skip_rules=skip_rules)
    if STRICT:
        return
    for failure in failures[start:]:
        bug = next((name for name, parts in KNOWN_AXE.items() if all(part in failure for part in parts)), None)
        if bug:
            failures.remove(failure)
            seen_known.add(bug)
            known.append(failure)
            print(f"  known product bug ({bug}): {failure}")


def expect_known(bug, condition, message):
    """Like expect, for a check that fails because of a known product bug (KNOWN_CHECKS)."""
    assert bug in KNOWN_CHECKS
    if condition:
        return
    seen_known.add(bug)
    if STRICT:
        expect(False, message)
    else:
        known.append(message)
        print(f"  known product bug ({bug}): {message}")


def shot(driver, name, shots):
    driver.execute_script("window.scrollTo(0, 0)")
    driver.save_screenshot(os.path.join(shots, f"{name}.png"))


def control_version(driver):
    return driver.execute_script("var c = document.getElementById('control'); return c && c.getAttribute('data-version');")


def press(driver, form_id, what):
    """Presses the button of a control-view form and waits for the new control page: loaded,
    and with a `data-version` on #control other than the one before the press."""
    before = control_version(driver)
    driver.execute_script("window.__groundworkOldPage = true;")
    driver.find_element(By.CSS_SELECTOR, f"#{form_id} button").click()
    return new_control_page(driver, before, what)


def new_control_page(driver, before, what):
    script = ("window.__groundworkOldPage === undefined && document.readyState === 'complete'"
              f" && document.getElementById('control') !== null && document.getElementById('control').getAttribute('data-version') !== {before!r}")
    until(driver, js(script), f"the control view after {what} (version {before} before)")
    return control_version(driver)


def projector_at(version, extra="true"):
    """The projector has reloaded to `version` (its body's data-version) and `extra` holds."""
    return js(f"document.readyState === 'complete' && document.body.getAttribute('data-version') === {str(version)!r} && ({extra})")


def choose(driver, letters):
    """Sets the poll's radios or checkboxes to exactly `letters`, by clicking their labels."""
    for control in driver.find_elements(By.CSS_SELECTOR, "#poll-form input[name=answer]"):
        wanted = control.get_attribute("value") in letters
        if wanted != control.is_selected() and (wanted or control.get_attribute("type") == "checkbox"):
            driver.find_element(By.CSS_SELECTOR, f"#poll-form label[for='{control.get_attribute('id')}']").click()


def send_answer(driver, letters, who):
    choose(driver, letters)
    click_and_wait(driver, driver.find_element(By.ID, "send-answer"))
    expect(urlparse(driver.current_url).path == "/live", f"{who}: after answering the phone is back on /live ({driver.current_url})")
    until(driver, loaded("#answer-in"), f"{who}: 'Your answer is in' after answering")


def bar_counts(driver):
    """{letter: count} from the revealed bars."""
    counts = {}
    for bar in present(driver, ".bars .bar"):
        letter = bar.find_element(By.CSS_SELECTOR, ".bar-label strong").text.strip()
        match = re.match(r"\s*(\d+)", bar.find_element(By.CSS_SELECTOR, ".bar-count").text)
        counts[letter] = int(match.group(1)) if match else -1
    return counts


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--link", required=True, help="a facilitator's one-time sign-in link")
    parser.add_argument("--screenshots", required=True)
    args = parser.parse_args()
    os.makedirs(args.screenshots, exist_ok=True)
    base = args.base.rstrip("/")
    shots = args.screenshots
    drivers = []

    def open_browser(window):
        driver = browser(window)
        drivers.append(driver)
        return driver

    try:
        print("the facilitator: link, password, open a session over one module")
        facilitator = open_browser(LAPTOP)
        choose_password(facilitator, args.link)
        expect(facilitator.current_url == base + "/staff", f"signed in at the staff home ({facilitator.current_url})")
        facilitator.get(base + "/staff/sessions")
        check(facilitator, "group-sessions", shots, LAPTOP)
        facilitator.find_element(By.ID, f"module-{MODULE}").click()
        click_and_wait(facilitator, facilitator.find_element(By.CSS_SELECTOR, "form[action='/staff/sessions'] button[type=submit]"))
        until(facilitator, lambda d: re.fullmatch(r"/staff/sessions/[^/]+", urlparse(d.current_url).path), "the control view's address")
        until(facilitator, loaded("#control"), "the control view")
        control_url = facilitator.current_url
        check(facilitator, "group-control-join", shots, LAPTOP)
        code_spaced = text_of(facilitator, ".control strong")
        code = code_spaced.replace(" ", "")
        expect(re.fullmatch(r"\d{3} \d{3}", code_spaced) is not None, f"a six-digit join code, shown in two groups (got '{code_spaced}')")

        print("the projector: a second window with the facilitator's cookie")
        projector = open_browser(LAPTOP)
        projector.get(base + "/health")
        for cookie in facilitator.get_cookies():
            projector.add_cookie({"name": cookie["name"], "value": cookie["value"], "path": cookie.get("path", "/")})
        projector.get(control_url + "/present")
        until(projector, loaded("#join-code"), "the projector's join slide")
        shown = text_of(projector, "#join-code")
        expect(shown.replace(" ", "") == code, f"the projector shows the join code {code_spaced} (got '{shown}')")
        expect(bool(present(projector, ".qr svg")), "the projector shows an inline SVG QR code")
        expect(base.split("//", 1)[1] + "/join" in text_of(projector, ".join-address"),
               f"the projector shows the join address (got '{text_of(projector, '.join-address')}')")
        check(projector, "group-projector-join", shots, LAPTOP)

        print("Lee starts the course on their own phone, for a resume code")
        lee = open_browser(PHONE)
        lee.get(base + "/")
        lee.find_element(By.ID, "name").send_keys("Lee")
        click_and_wait(lee, lee.find_element(By.CSS_SELECTOR, "form[action^='/start'] button"))
        lee_code = text_of(lee, ".code strong")
        expect(len(lee_code.split("-")) == 4, f"Lee has a four-word resume code ('{lee_code}')")

        print("three phones join; the first signs in to the course first")
        phones = [open_browser(PHONE) for _ in range(PARTICIPANTS)]
        first = phones[0]
        first.get(base + "/")
        first.find_element(By.ID, "name").send_keys("Jo")
        click_and_wait(first, first.find_element(By.CSS_SELECTOR, "form[action^='/start'] button"))
        click_and_wait(first, first.find_element(By.CSS_SELECTOR, "main a.button"))
        for number, phone in enumerate(phones, 1):
            phone.get(f"{base}/join?code={code}")
            until(phone, loaded("form[action='/join']"), f"phone {number}: the join page")
            if number == 1:
                check(phone, "group-phone-join", shots, PHONE)
            expect(phone.find_element(By.ID, "code").get_attribute("value") == code, f"phone {number}: the code from the address is filled in")
            if number == 2:
                phone.find_element(By.ID, "nickname").send_keys("Kit")
            click_and_wait(phone, phone.find_element(By.CSS_SELECTOR, "form[action='/join'] button"))
            until(phone, lambda d: urlparse(d.current_url).path == "/live", f"phone {number}: /live after joining")
            until(phone, loaded("#live"), f"phone {number}: the live page")
            expect(bool(present(phone, "#waiting")), f"phone {number}: the join slide is a waiting page")
            if number == 1:
                check(phone, "group-phone-waiting", shots, PHONE)
        until(projector, js("document.querySelector('[data-joined]') && document.querySelector('[data-joined]').textContent.trim() === '3 people here'"),
              "the projector counts 3 people here")
        projector.get(control_url + "/present")
        until(projector, loaded("#join-code"), "the projector's join slide, reloaded")
        expect("Kit" not in projector.find_element(By.TAG_NAME, "body").text,
               "a nickname isn't shown on the projector unless the facilitator turns nicknames on")

        print("the first phone counts the session for its learner")
        link = [b for b in present(first, "form[action='/live/link'] button") if "Count it for Jo" in b.text]
        expect(bool(link), "the signed-in phone offers 'Count it for Jo'")
        if link:
            click_and_wait(first, link[0])
            until(first, loaded("#linked"), "phone 1: the session will count toward the course")
            expect(urlparse(first.current_url).path == "/live",
                         f"after linking, the phone is on /live, not on the answer to a POST ({urlparse(first.current_url).path})")
            check(first, "group-phone-linked", shots, PHONE)

        print("the third phone, not signed in, counts the session for Lee with Lee's resume code")
        third = phones[2]
        expect(not present(third, "form[action='/live/link'] input[name=use]"), "phone 3, not signed in, isn't offered 'Count it for' anyone")
        third.find_element(By.ID, "link-code").send_keys(lee_code.upper().replace("-", " "))
        click_and_wait(third, third.find_element(By.CSS_SELECTOR, "form[action='/live/link'] button"))
        until(third, loaded("#linked"), "phone 3: the session will count toward Lee's course")
        expect(urlparse(third.current_url).path == "/live", f"after linking, phone 3 is on /live ({urlparse(third.current_url).path})")

        print("the facilitator moves to the first poll; the phones follow by themselves")
        presses = 0
        practice_seen = False
        while not present(facilitator, "#control-reveal") and presses < 60:
            version = press(facilitator, "control-next", f"Next ({presses + 1})")
            presses += 1
            if presses == 1:
                shot(facilitator, "group-control-title", shots)
            if text_of(facilitator, ".preview .slide-kind").lower() == "practice" and not practice_seen:
                practice_seen = True
                card = text_of(facilitator, "section.card.notice[aria-labelledby='practicals-heading']")
                expect("The room is practising now." in card, f"on a practice slide, the control view's practical card says the room is practising ('{card}')")
                steps = len(present(facilitator, ".preview .checklist li"))
                expect(steps > 1, f"the practice slide lists the steps ({steps})")
                until(projector, projector_at(version, f"document.querySelectorAll('.checklist li').length === {steps}"),
                      f"the projector shows the practice's {steps} steps, by itself")
                shot(projector, "group-projector-practice", shots)
        expect(practice_seen, "a practice slide on the way to the first poll")
        expect(bool(present(facilitator, "#control-reveal")), f"a poll within {presses} presses of Next")
        version = control_version(facilitator)
        kind = text_of(facilitator, ".preview .slide-kind")
        expect(kind.lower() == "question", f"the control view's slide is a question (got '{kind}')")
        print(f"  the first poll after {presses} presses of Next (version {version})")
        check(facilitator, "group-control-poll", shots, LAPTOP)
        expect(not present(facilitator, ".bar-count"), "the control view shows no counts before the reveal")
        for number, phone in enumerate(phones, 1):
            until(phone, loaded("#poll-form"), f"phone {number}: the poll, by itself")
            expect(phone.execute_script("return document.getElementById('live').getAttribute('data-version')") == version,
                   f"phone {number}: at the control view's version {version}")
        check(phones[0], "group-phone-poll", shots, PHONE)
        until(projector, projector_at(version, "document.querySelector('.poll') !== null"), "the projector shows the poll, by itself")
        check(projector, "group-projector-poll", shots, LAPTOP)

        print("the phones answer: two the same, one another, then that one changes")
        letters = [c.get_attribute("value") for c in phones[0].find_elements(By.CSS_SELECTOR, "#poll-form input[name=answer]")]
        expect(len(letters) >= 3, f"the poll has at least three options (got {letters})")
        same, other, changed = (letters + ["A", "B", "C"])[:3]
        send_answer(phones[0], {same}, "phone 1")
        check(phones[0], "group-phone-answered", shots, PHONE)
        send_answer(phones[1], {same}, "phone 2")
        send_answer(phones[2], {other}, "phone 3")
        until(projector, js("document.querySelector('[data-answered]') && document.querySelector('[data-answered]').textContent.trim() === '3 answered'"),
              "the projector counts 3 answered, live")
        send_answer(phones[2], {changed}, "phone 3 (changing)")
        mine = [c.get_attribute("value") for c in phones[2].find_elements(By.CSS_SELECTOR, "#poll-form input[name=answer]") if c.is_selected()]
        expect(mine == [changed], f"phone 3 shows its changed answer chosen ({mine})")
        expect(text_of(phones[2], "#send-answer") == "Change my answer", "the button offers to change the answer")
        expect(not present(projector, ".bar-count"), "the projector shows no counts before the reveal")
        shot(projector, "group-projector-answered", shots)
        facilitator.get(control_url)
        until(facilitator, loaded("#control"), "the control view, reloaded")
        answered = text_of(facilitator, ".preview [data-answered]")
        expect(answered == "3 answered", f"a changed answer still counts once: the control view says '{answered}'")
        expect(not present(facilitator, ".bar-count"), "the control view shows no counts before the reveal")

        print("the facilitator reveals")
        # Phone 2's person scrolls down through the options to read them all, as on a phone.
        phones[1].execute_script("window.scrollTo(0, document.documentElement.scrollHeight)")
        scrolled = phones[1].execute_script("return window.scrollY")
        version = press(facilitator, "control-reveal", "Reveal")
        expect(not present(facilitator, "#control-reveal"), "no Reveal button once revealed")
        check(facilitator, "group-control-revealed", shots, LAPTOP)
        until(projector, projector_at(version, "document.querySelector('.bars, .results') !== null"), "the projector shows the results, by itself")
        counts = bar_counts(projector)
        expect(sum(counts.values()) == 3, f"the projector's counts add up to 3 ({counts})")
        expect(counts.get(same) == 2 and counts.get(changed) == 1 and counts.get(other, 0) == 0,
               f"{same} 2, {changed} 1 and {other} 0 (the changed answer replaced the first): got {counts}")
        expect(bool(present(projector, ".bar-right")), "a bar is marked right")
        expect(bool(present(projector, ".results .explanation")), "the projector shows the explanation")
        fits = projector.execute_script("return [document.documentElement.scrollHeight, window.innerHeight]")
        expect(fits[0] <= fits[1] + 2, f"the revealed slide fits the projector's screen (page {fits[0]}px, screen {fits[1]}px)")
        check(projector, "group-projector-revealed", shots, LAPTOP)
        for number, (phone, chosen) in enumerate(zip(phones, (same, same, changed)), 1):
            until(phone, loaded("#revealed"), f"phone {number}: the results, by itself")
            main_text = phone.find_element(By.TAG_NAME, "main").text
            expect("Only you can see this." in main_text, f"phone {number}: 'Only you can see this.'")
            expect("You chose “" in main_text, f"phone {number}: its own answer, by its words")
            expect(sum(bar_counts(phone).values()) == 3, f"phone {number}: the counts add up to 3 ({bar_counts(phone)})")
            if number == 2:
                top = phone.execute_script("return [window.scrollY, document.getElementById('revealed').getBoundingClientRect().top]")
                expect(top[1] >= 0,
                             f"phone 2, scrolled down {scrolled}px on the poll, shows the results from their top"
                             f" (scrollY {top[0]}, heading at {round(top[1])}px)")
            if number == 1:
                check(phone, "group-phone-revealed", shots, PHONE)

        print("the facilitator blanks the projector with B, and shows it again")
        before = control_version(facilitator)
        facilitator.execute_script("window.__groundworkOldPage = true;")
        facilitator.find_element(By.TAG_NAME, "body").send_keys("b")
        version = new_control_page(facilitator, before, "the B key")
        expect("Show the projector again" in text_of(facilitator, "#control-blank button"), "the control view offers to show the projector again")
        until(projector, projector_at(version, "document.body.classList.contains('blanked')"), "the projector goes blank, by itself")
        expect(not present(projector, ".slide-heading, .bars, #join-code"), "nothing shows on the blank projector")
        shot(projector, "group-projector-blanked", shots)
        before = version
        facilitator.execute_script("window.__groundworkOldPage = true;")
        facilitator.find_element(By.TAG_NAME, "body").send_keys("B")
        version = new_control_page(facilitator, before, "the B key again")
        until(projector, projector_at(version, "!document.body.classList.contains('blanked') && document.querySelector('.bars') !== null"),
              "the projector shows the results again, by itself")

        print("the facilitator, on their phone, signs Lee off: first with a step missing, then with every step")
        walker = open_browser(PHONE)
        with_cookies_of(facilitator, walker, base)
        walker.get(control_url)
        until(walker, loaded("#sign-off-link"), "the control view on the facilitator's phone, with its sign-off link")
        click_and_wait(walker, walker.find_element(By.ID, "sign-off-link"))
        sign_off_path = urlparse(control_url).path + "/practicals"
        until(walker, lambda d: urlparse(d.current_url).path == sign_off_path, f"the sign-off page's address ({sign_off_path})")
        until(walker, loaded("#sign-off-heading"), "the sign-off page")
        check(walker, "group-sign-off", shots, PHONE)
        names = [s.text.strip() for s in present(walker, "details.sign-off summary")]
        expect(names == ["Jo", "Lee"], f"the sign-off page lists the two linked learners, Jo and Lee, once each ({names})")
        expect(not present(walker, "details.sign-off[open]"), "every checklist starts folded")
        entry = sign_off_entry(walker, "Lee")
        steps = len(entry.find_elements(By.CSS_SELECTOR, "input[name=step]")) if entry else 0
        expect(steps > 1, f"Lee's checklist has the practical's steps ({steps})")
        missing = 2
        if entry:
            entry.find_element(By.TAG_NAME, "summary").click()
            tick(walker, entry, set(range(steps)) - {missing})
            submit_sign_off(walker, entry, "Lee", "a sign-off with a step missing")
        expect(response_status(walker) == 400, f"a sign-off with a step missing is refused with 400 (got {response_status(walker)})")
        error = text_of(walker, "main .error[role=alert]")
        expect(error.startswith("Not signed off yet") and f"step {missing + 1} of {steps} is not ticked" in error,
               f"the error says which step is missing: step {missing + 1} of {steps} is not ticked ('{error}')")
        expect(not present(walker, "main .notice"), "no notice with the error")
        entry = sign_off_entry(walker, "Lee")
        expect(entry is not None and entry.get_attribute("open") is not None, "Lee's checklist is open again after the error")
        kept = ticked(entry) if entry else set()
        expect(kept == set(range(steps)) - {missing}, f"the {steps - 1} steps ticked are still ticked, the missing one not ({sorted(kept)})")
        jo = sign_off_entry(walker, "Jo")
        expect(jo is not None and jo.get_attribute("open") is None and not ticked(jo), "Jo's checklist stays folded and unticked")
        check(walker, "group-sign-off-error", shots, PHONE)
        full_shot(walker, "group-sign-off-error", shots)
        if entry:
            tick(walker, entry, {missing})
            submit_sign_off(walker, entry, "Lee", "a sign-off with every step")
        expect(response_status(walker) == 200, f"the sign-off succeeds (status {response_status(walker)})")
        expect(urlparse(walker.current_url).query.startswith("done=signed"), f"and answers with a redirect, so a reload can't send it again ({walker.current_url})")
        notice = text_of(walker, "main .notice")
        expect(notice == "Signed off Lee.", f"'Signed off Lee.' (got '{notice}')")
        expect(not present(walker, "main .error"), "no error once signed off")
        entry = sign_off_entry(walker, "Lee")
        summary = " ".join(entry.find_element(By.TAG_NAME, "summary").text.split()) if entry else ""
        expect(summary == "Lee · signed off", f"Lee's entry says signed off ('{summary}')")
        signed_note = entry.find_element(By.TAG_NAME, "p").get_attribute("textContent").strip() if entry else ""
        expect(re.fullmatch(r"Signed off on .+ by \S.*\.", signed_note) is not None, f"Lee's entry says when and by whom ('{signed_note}')")
        expect(entry is not None and not entry.find_elements(By.TAG_NAME, "form"), "no checklist to send for Lee any more")
        expect(bool(sign_off_entry(walker, "Jo")) and bool(sign_off_entry(walker, "Jo").find_elements(By.TAG_NAME, "form")),
               "Jo can still be signed off")
        full_shot(walker, "group-sign-off-done", shots)

        print("the facilitator ends the session")
        driver = facilitator
        click_and_wait(driver, driver.find_element(By.ID, "end-session"))
        until(driver, loaded("#session-ended"), "the session-ended page")
        notice = text_of(driver, "main .notice")
        how = driver.execute_script("return performance.getEntriesByType('navigation')[0].type")
        expect("Attendance recorded for 2 linked people" in notice,
                     f"the end page says it recorded the two linked people (notice '{notice}', page {urlparse(driver.current_url).path} by {how})")
        check(driver, "group-control-ended", shots, LAPTOP)

        print("after the end, the facilitator signs Jo off from the ended session's page")
        click_and_wait(driver, driver.find_element(By.ID, "sign-off-link"))
        until(driver, lambda d: urlparse(d.current_url).path == sign_off_path, "the sign-off page's address, after the end")
        until(driver, loaded("#sign-off-heading"), "the sign-off page, after the end")
        lee_entry = sign_off_entry(driver, "Lee")
        expect(lee_entry is not None and "signed off" in lee_entry.text, "after the end, Lee is still listed as signed off")
        jo = sign_off_entry(driver, "Jo")
        if jo:
            jo.find_element(By.TAG_NAME, "summary").click()
            tick(driver, jo, set(range(steps)))
            submit_sign_off(driver, jo, "Jo", "signing Jo off after the end")
        notice = text_of(driver, "main .notice")
        expect(notice == "Signed off Jo.", f"after the end, 'Signed off Jo.' (got '{notice}', status {response_status(driver)})")
        for number, phone in enumerate(phones[1:], 2):
            until(phone, js("document.readyState === 'complete' && document.querySelector('main h1') !== null"
                            " && document.querySelector('main h1').textContent.trim() === 'This session has ended'"),
                  f"phone {number}: 'This session has ended', by itself")
        check(phones[1], "group-phone-ended", shots, PHONE)
        first.get(base + "/")
        until(first, js("document.readyState === 'complete' && document.querySelector('.attendance-note') !== null"
                        " && document.querySelector('.attendance-note').textContent.indexOf('1 group session attended') !== -1"),
              "phone 1's course page: '1 group session attended'")
        note = text_of(first, ".practical-note")
        expect(note == "Practical skills signed off: 1 of 1.", f"Jo's course page counts the practical ('{note}')")
        check(first, "group-course-attended", shots, PHONE)

        print("Lee's own phone: the practical's page says who signed them off, and the course counts it")
        lee.get(f"{base}/modules/{MODULE}")
        practice = [a for a in present(lee, "ol.sections a") if a.text.strip().startswith("Practice:")]
        expect(len(practice) == 1, f"the module page links one practical section ({[a.text for a in practice]})")
        if practice:
            click_and_wait(lee, practice[0])
        seen = text_of(lee, "main section.card.practical .notice")
        expect(seen == signed_note, f"Lee's practical page says '{signed_note}' (got '{seen}')")
        lee.execute_script("var c = document.querySelector('main section.card.practical'); if (c) c.scrollIntoView();")
        lee.save_screenshot(os.path.join(shots, "group-practical-signed-off.png"))
        lee.get(base + "/")
        until(lee, loaded(".practical-note"), "Lee's course page")
        note = text_of(lee, ".practical-note")
        expect(note == "Practical skills signed off: 1 of 1.", f"Lee's course page says 1 of 1 practical skills ('{note}')")
        attended = text_of(lee, ".attendance-note")
        expect("1 group session attended" in attended, f"Lee's course page counts the session linked with the typed code ('{attended}')")

        print("a new phone with the old code")
        late = open_browser(PHONE)
        late.get(base + "/join")
        late.find_element(By.ID, "code").send_keys(code_spaced)
        click_and_wait(late, late.find_element(By.CSS_SELECTOR, "form[action='/join'] button"))
        until(late, loaded("#join-error"), "the old code is refused")
        check(late, "group-phone-join-error", shots, PHONE)
    finally:
        for driver in drivers:
            try:
                driver.quit()
            except WebDriverException:
                pass

    if known:
        print(f"\n{len(known)} known product bug(s) seen, reported, not failing the run (GROUP_JOURNEY_STRICT=1 to fail):")
        for bug in known:
            print("  -", bug)
    gone = (set(KNOWN_AXE) | KNOWN_CHECKS) - seen_known
    if gone:
        print(f"\nknown bug(s) not seen this run (intermittent, or fixed: then remove them): {', '.join(sorted(gone))}")
    if failures:
        print(f"\n{len(failures)} problem(s):")
        for failure in failures:
            print("  -", failure)
        return 1
    print(f"group journey passed: a facilitator, a projector and {PARTICIPANTS} phones through a practice, a poll, its reveal, "
          f"blanking and the end, with attendance and practical sign-offs; axe clean on {len(checked_pages)} page types"
          + (" but for the known bugs above" if known else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
