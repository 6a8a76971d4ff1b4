#!/usr/bin/env python3
"""The staff journey in a real browser at phone size: the first coordinator (made on the
command line) follows their one-time link, chooses a password, invites a facilitator and
turns on two-step sign-in; the facilitator signs in and sees only what a facilitator may;
the coordinator signs in again with password and code. axe runs on every staff page type,
and no page may scroll sideways.

The authenticator codes are computed here with Python's own HMAC (RFC 6238), and the key
shown for typing into an app is checked against the form's secret: someone else's TOTP, not
Groundwork's.
"""

import argparse
import base64
import hashlib
import hmac
import os
import struct
import sys
import time

from selenium.webdriver.common.by import By

from learner_journey import browser, check_page, click_and_wait, expect, failures

PASSWORD = "a quiet harbour at dawn"
# axe-core 3.1 (bundled with axe-selenium-python) doesn't know autocomplete="one-time-code",
# which the HTML standard defines for exactly these fields.
CODE_FIELD_RULES = ("autocomplete-valid",)


def totp(secret, at=None):
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(secret.encode(), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 1_000_000:06d}"


def fresh_code(secret):
    """A code not about to roll over (a code typed at 29.9 s is fine for the server, but the
    test shouldn't lean on the drift window)."""
    if time.time() % 30 > 27:
        time.sleep(30 - time.time() % 30 + 0.5)
    return totp(secret)


def sign_in(driver, base, name, shots=None):
    driver.get(base + "/staff")
    if shots:
        check_page(driver, "staff-sign-in", shots)
    driver.find_element(By.ID, "name").send_keys(name)
    driver.find_element(By.ID, "password").send_keys(PASSWORD)
    click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "form[action='/staff/sign-in'] button"))


def choose_password(driver, link, shots=None):
    driver.get(link)
    if shots:
        check_page(driver, "staff-password", shots)
    driver.find_element(By.ID, "password").send_keys(PASSWORD)
    driver.find_element(By.ID, "confirm").send_keys(PASSWORD)
    click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "form[action='/staff/welcome'] button"))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--link", required=True, help="the first coordinator's sign-in link")
    parser.add_argument("--screenshots", required=True)
    args = parser.parse_args()
    os.makedirs(args.screenshots, exist_ok=True)
    base = args.base.rstrip("/")
    shots = args.screenshots

    print("the first coordinator: link, password, invite, two-step")
    driver = browser()
    try:
        choose_password(driver, args.link, shots)
        expect(driver.current_url == base + "/staff", f"signed in at the staff home ({driver.current_url})")
        check_page(driver, "staff-home", shots)
        expect("Hello, Ada" in driver.page_source, "the home page greets the coordinator")
        click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "a[href='/staff/people']"))
        check_page(driver, "staff-people", shots)
        driver.find_element(By.ID, "invite-name").send_keys("Bea")
        driver.find_element(By.ID, "role-facilitator").click()
        click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "form[action='/staff/people'] button"))
        links = driver.find_elements(By.CSS_SELECTOR, "code.link-url")
        expect(bool(links), "the invitation shows a one-time link")
        bea_link = links[0].text.strip() if links else ""
        expect("Bea" in driver.find_element(By.TAG_NAME, "table").text, "Bea is listed")

        driver.get(base + "/staff/two-step")
        check_page(driver, "staff-two-step", shots, skip_rules=CODE_FIELD_RULES)
        secret = driver.find_element(By.NAME, "secret").get_attribute("value")
        shown = driver.find_element(By.CSS_SELECTOR, "code.secret").text.replace(" ", "")
        padded = shown + "=" * (-len(shown) % 8)
        expect(base64.b32decode(padded) == secret.encode(), "the key to type into an app is the secret, in base32")
        driver.find_element(By.ID, "code").send_keys(fresh_code(secret))
        click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "form[action='/staff/two-step'] button"))
        expect("Two-step sign-in is on" in driver.page_source, "two-step sign-in is on")

        driver.get(base + "/staff/audit")
        check_page(driver, "staff-audit", shots)
        audit = driver.find_element(By.TAG_NAME, "main").text
        expect("two-step on" in audit and "staff added" in audit, "the audit log records what happened")
        expect(PASSWORD not in driver.page_source, "no password in the audit log")
        click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "form.signout button"))
        expect("Staff sign-in" in driver.page_source, "signed out")
    finally:
        driver.quit()

    print("the facilitator: link, password, only a facilitator's pages")
    driver = browser()
    try:
        choose_password(driver, bea_link)
        main_text = driver.find_element(By.TAG_NAME, "main").text
        expect("Hello, Bea" in main_text and "Group sessions" in main_text, "the facilitator's home")
        expect(not driver.find_elements(By.CSS_SELECTOR, "a[href='/staff/people'], a[href='/staff/audit']"),
               "no coordinator links for a facilitator")
        driver.get(base + "/staff/people")
        check_page(driver, "staff-forbidden", shots)
        expect("part of your role" in driver.page_source and "Ada" not in driver.find_element(By.TAG_NAME, "main").text,
               "a facilitator is refused the staff list, and told why")
    finally:
        driver.quit()

    print("the coordinator again: password, then the code")
    driver = browser()
    try:
        sign_in(driver, base, "Ada", shots)
        expect(driver.current_url == base + "/staff/code", f"the code is asked for ({driver.current_url})")
        check_page(driver, "staff-code", shots, skip_rules=CODE_FIELD_RULES)
        driver.find_element(By.ID, "code").send_keys("000000")
        click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "form[action='/staff/code'] button"))
        expect(driver.find_elements(By.CSS_SELECTOR, "[role=alert]"), "a wrong code says so")
        driver.find_element(By.ID, "code").send_keys(fresh_code(secret))
        click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "form[action='/staff/code'] button"))
        expect(driver.current_url == base + "/staff" and "Hello, Ada" in driver.page_source, "signed in with the code")
    finally:
        driver.quit()

    if failures:
        print(f"\n{len(failures)} problem(s):")
        for failure in failures:
            print("  -", failure)
        return 1
    print("staff journey passed; axe clean on every staff page type")
    return 0


if __name__ == "__main__":
    sys.exit(main())
