#!/usr/bin/env python3
"""A learner's journey through the web app in a real browser (headless Chromium, phone-sized).

Signs up, reads the lessons and answers a whole module of the bundled course, leaves half
way, comes back in a fresh browser session with the resume code, finishes, opens a practical
skill's checklist (rehearsal only: nothing on it is sent), and runs axe on every page type:
zero serious or critical violations allowed. Screenshots of each page type go to the folder
given by --screenshots.

Usage: learner_journey.py --base http://127.0.0.1:8091 --course course.json --module ID --screenshots DIR
(course.json is `groundwork compile Curriculum`: the answer key comes from the course itself.)
"""
import argparse
import base64
import json
import os
import sys

from axe_selenium_python import Axe
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.support.ui import Select, WebDriverWait

PHONE = (390, 844)
LAPTOP = (1280, 800)
size = list(PHONE)  # the window the current browser has
failures = []
checked_pages = set()


def browser(window=PHONE):
    size[:] = window
    options = webdriver.ChromeOptions()
    options.add_argument("--headless=new")
    options.add_argument("--no-sandbox")
    options.add_argument("--disable-dev-shm-usage")
    options.add_argument(f"--window-size={window[0]},{window[1]}")
    for binary in ("/usr/bin/chromium", "/usr/bin/chromium-browser"):
        if os.path.exists(binary):
            options.binary_location = binary
    service = webdriver.ChromeService(executable_path="/usr/bin/chromedriver") if os.path.exists("/usr/bin/chromedriver") else None
    driver = webdriver.Chrome(options=options, service=service) if service else webdriver.Chrome(options=options)
    driver.set_window_size(*window)
    driver.implicitly_wait(2)
    return driver


def click_and_wait(driver, element, keys=None):
    """Clicks (or types keys into) an element and waits for the next page to load.

    It never waits for the old page to go stale (chromium's driver can answer that with a
    WebDriverException). It marks the current window, then waits for a document that
    doesn't carry the mark and has finished loading: only a new page can be that.
    """
    driver.execute_script("window.__groundworkOldPage = true;")
    if keys:
        element.send_keys(keys)
    else:
        element.click()
    wait_for_new_page(driver)


def wait_for_new_page(driver):
    def loaded(d):
        return d.execute_script(
            "return window.__groundworkOldPage === undefined && document.readyState === 'complete'"
            " && document.getElementById('main') !== null;")
    WebDriverWait(driver, 15, poll_frequency=0.05, ignored_exceptions=(WebDriverException,)).until(loaded)


def present(driver, css):
    """The elements matching `css` now, without the implicit wait: for checking absence, and
    for asking which kind of page this is (pages here are whole once loaded)."""
    driver.implicitly_wait(0)
    try:
        return driver.find_elements(By.CSS_SELECTOR, css)
    finally:
        driver.implicitly_wait(2)


def full_shot(driver, name, shots):
    """A screenshot of the whole page, not just the window (for pages longer than a phone)."""
    metrics = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})
    content = metrics.get("cssContentSize") or metrics["contentSize"]
    picture = driver.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": content["width"], "height": content["height"], "scale": 1}})
    with open(os.path.join(shots, f"{name}.png"), "wb") as handle:
        handle.write(base64.b64decode(picture["data"]))


def check_page(driver, kind, shots, skip_rules=()):
    """axe on the page (once per page type) and a screenshot. `skip_rules` turns off axe rules
    that the bundled axe-core (3.1) gets wrong for a page, each with its reason at the caller."""
    if kind in checked_pages:
        return
    checked_pages.add(kind)
    driver.save_screenshot(os.path.join(shots, f"{kind}.png"))
    axe = Axe(driver)
    axe.inject()
    results = axe.run(options=json.dumps({"rules": {rule: {"enabled": False} for rule in skip_rules}})) if skip_rules else axe.run()
    bad = [v for v in results["violations"] if v.get("impact") in ("serious", "critical")]
    for violation in bad:
        nodes = ", ".join(n["target"][0] if isinstance(n["target"][0], str) else str(n["target"]) for n in violation["nodes"][:3])
        failures.append(f"{kind}: axe {violation['impact']}: {violation['id']}: {violation['help']} ({nodes})")
    minor = [v["id"] for v in results["violations"] if v not in bad]
    print(f"  axe {kind}: {len(bad)} serious/critical" + (f", minor: {', '.join(minor)}" if minor else ""))
    # Every control is at least 44 by 44 px (WCAG 2.2's target size), and a question's title
    # stays inside its box.
    small = driver.execute_script("""
        return Array.from(document.querySelectorAll('main a.button, main button, header button, ol.sections a, details summary'))
          .filter(e => e.offsetParent !== null)
          .map(e => [e.textContent.trim().slice(0, 40), e.getBoundingClientRect()])
          .filter(([t, r]) => r.height < 44 || (r.width < 44))
          .map(([t, r]) => t + ' (' + Math.round(r.width) + 'x' + Math.round(r.height) + ')');""")
    for target in small:
        failures.append(f"{kind}: a target smaller than 44x44 px: {target}")
    overlapping = driver.execute_script("""
        return Array.from(document.querySelectorAll('fieldset > legend')).filter(l => {
          const f = l.parentElement.getBoundingClientRect(), r = l.getBoundingClientRect();
          return r.top < f.top + 1; }).length;""")
    if overlapping:
        failures.append(f"{kind}: a question title overlaps its box's border")
    # The page must not scroll sideways on a phone.
    width = driver.execute_script("return document.documentElement.scrollWidth")
    if width > size[0] + 1:
        failures.append(f"{kind}: the page is {width}px wide in a {size[0]}px window")


def expect(condition, message):
    if not condition:
        failures.append(message)
        print("  FAIL:", message)


def drawn(module):
    """How many questions an attempt asks: `pool` of the module's questions (every one without
    a pool), and every scenario step (scenarios are never part of the pool)."""
    questions = sum(len(section["questions"]) for section in module["sections"])
    steps = sum(1 for section in module["sections"] if section.get("scenario")
                for step in section["scenario"]["steps"] if step.get("question"))
    return min(module.get("pool") or questions, questions) + steps


def practical_section(course):
    """(module, 1-based section number, section) of the course's first practical skill."""
    for module in course["modules"]:
        for number, section in enumerate(module["sections"], 1):
            if section.get("practical"):
                return module, number, section
    return None, None, None


def check_practical_checklist(driver, section, shots):
    """A practical's section page for a learner not signed off: its steps as a checklist to
    rehearse, with nothing on it that could be sent (no form around it, no names)."""
    practical = section["practical"]
    steps = practical["steps"]
    cards = driver.find_elements(By.CSS_SELECTOR, "main section.card.practical")
    expect(len(cards) == 1, f"the practical's page has one checklist card ({len(cards)})")
    if not cards:
        return
    card = cards[0]
    heading = card.find_element(By.TAG_NAME, "h2").text.strip()
    expect(heading == "Rehearse the steps", f"the card is headed 'Rehearse the steps' (got '{heading}')")
    lists = card.find_elements(By.CSS_SELECTOR, "ol.checklist" if practical["ordered"] else "ul.checklist")
    expect(len(lists) == 1, f"the steps are an {'ordered' if practical['ordered'] else 'unordered'} checklist")
    boxes = card.find_elements(By.CSS_SELECTOR, "input[type=checkbox]")
    expect([b.get_attribute("id") for b in boxes] == [f"practise-{n}" for n in range(1, len(steps) + 1)],
           f"a checkbox #practise-N for each of the {len(steps)} steps ({[b.get_attribute('id') for b in boxes]})")
    labels = [label_text(driver, box) for box in boxes]
    expect(labels == [step["text"] for step in steps], f"each checkbox is labelled with its step ({labels[:2]}...)")
    unsent = driver.execute_script("""
        const card = document.querySelector('main section.card.practical');
        const boxes = Array.from(card.querySelectorAll('input'));
        return card.closest('form') === null && card.querySelector('form, button, [type=submit]') === null
          && boxes.every(b => b.form === null && !b.hasAttribute('name'));""")
    expect(unsent, "the checklist is in no form and its checkboxes have no names: ticks are never sent")
    expect(not present(driver, "main section.card.practical .notice"), "no 'Signed off' note for a learner not signed off")
    expect("never sent or saved" in card.text, "the card says the ticks are never sent or saved")
    check_page(driver, "practical", shots)
    full_shot(driver, "practical", shots)  # the whole checklist, for looking at
    if boxes:
        where = driver.current_url
        driver.find_element(By.CSS_SELECTOR, f"label[for='{boxes[0].get_attribute('id')}']").click()
        expect(boxes[0].is_selected() and driver.current_url == where, "ticking a step ticks it, and stays on the page")


def question_key(module):
    """Questions and scenario steps by (item id, step slug)."""
    key = {}
    for section in module["sections"]:
        for question in section["questions"]:
            key[(question["id"], "")] = question
        scenario = section.get("scenario")
        if scenario:
            for step in scenario["steps"]:
                if step.get("question"):
                    key[(scenario["id"], step["slug"])] = step["question"]
    return key


def label_text(driver, control):
    return driver.find_element(By.CSS_SELECTOR, f"label[for='{control.get_attribute('id')}']").text.strip()


def answer(driver, question, keyboard=False, wrong=False):
    """Answers with the answer key, or with `wrong` a choice the key marks wrong."""
    kind = question["kind"]
    options = question["options"]
    if wrong and kind != "short-answer":
        wrong_answer(driver, question)
        submit = driver.find_element(By.CSS_SELECTOR, "form.question button[type=submit]")
        click_and_wait(driver, submit)
        return
    if kind in ("single-choice", "select-all"):
        right = {o["text"] for o in options if o["correct"]}
        kind_css = "radio" if kind == "single-choice" else "checkbox"
        for control in driver.find_elements(By.CSS_SELECTOR, f"input[type={kind_css}]"):
            if label_text(driver, control) in right:
                if keyboard:
                    control.send_keys(Keys.SPACE)
                else:
                    control.click()
    elif kind == "ordering":
        order = [o["text"] for o in options]
        for select in driver.find_elements(By.CSS_SELECTOR, "select[name^=position-]"):
            Select(select).select_by_value(str(order.index(label_text(driver, select)) + 1))
    elif kind == "matching":
        targets = question["matchTargets"]
        by_left = {o["text"]: targets[o["match"]] for o in options}
        for select in driver.find_elements(By.CSS_SELECTOR, "select[name^=match-]"):
            Select(select).select_by_visible_text(by_left[label_text(driver, select)])
    elif kind == "short-answer":
        driver.find_element(By.ID, "answer-text").send_keys("not sure" if wrong else question["acceptedAnswers"][0])
    submit = driver.find_element(By.CSS_SELECTOR, "form.question button[type=submit]")
    click_and_wait(driver, submit, Keys.ENTER if keyboard else None)


def wrong_answer(driver, question):
    kind = question["kind"]
    options = question["options"]
    if kind in ("single-choice", "select-all"):
        wrong = [o["text"] for o in options if not o["correct"]][:1] or [options[0]["text"]]
        kind_css = "radio" if kind == "single-choice" else "checkbox"
        for control in driver.find_elements(By.CSS_SELECTOR, f"input[type={kind_css}]"):
            if label_text(driver, control) in wrong:
                control.click()
    elif kind == "ordering":
        order = [o["text"] for o in options]
        for select in driver.find_elements(By.CSS_SELECTOR, "select[name^=position-]"):
            Select(select).select_by_value(str(len(order) - order.index(label_text(driver, select))))
    elif kind == "matching":
        targets = question["matchTargets"]
        by_left = {o["text"]: targets[(o["match"] + 1) % len(targets)] for o in options}
        for select in driver.find_elements(By.CSS_SELECTOR, "select[name^=match-]"):
            Select(select).select_by_visible_text(by_left[label_text(driver, select)])


def answer_until(driver, base, key, module_id, stop_after, shots, keyboard_first=False, wrong=False):
    """Answers questions until `stop_after` are done or the result shows; returns how many."""
    answered = 0
    while stop_after is None or answered < stop_after:
        forms = present(driver, "form.question")
        if forms:
            check_page(driver, "question", shots)
            item = driver.find_element(By.NAME, "item").get_attribute("value")
            step = driver.find_element(By.NAME, "step").get_attribute("value")
            question = key[(item, step)]
            answer(driver, question, keyboard=keyboard_first and answered == 0, wrong=wrong)
            expect("/feedback" in driver.current_url, f"after answering {item} the feedback page shows ({driver.current_url})")
            check_page(driver, "feedback", shots)
            heading = driver.find_element(By.TAG_NAME, "h1").text
            if wrong:
                expect("That's right" not in heading, f"{item}: a wrong answer isn't called right (got '{heading}')")
                check_page(driver, "feedback-not-yet", shots)
            else:
                expect("That's right" in heading, f"{item}: the answer key's answer is right (got '{heading}')")
            answered += 1
            click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "main a.button"))
        elif "/result" in driver.current_url:
            return answered
        elif present(driver, "main form[action$='/attempts'] button"):
            # Reading in order reached the questions: start them here.
            check_page(driver, "start-questions", shots)
            click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "main form[action$='/attempts'] button"))
            expect("/sections/" in driver.current_url and driver.find_elements(By.CSS_SELECTOR, "form.question"),
                   f"starting the questions shows the first one in place ({driver.current_url})")
        else:
            links = present(driver, "main a.button")
            if not links:
                failures.append(f"stuck at {driver.current_url}")
                return answered
            click_and_wait(driver, links[0])
    return answered


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--course", required=True)
    parser.add_argument("--module", required=True)
    parser.add_argument("--screenshots", required=True)
    args = parser.parse_args()
    os.makedirs(args.screenshots, exist_ok=True)
    with open(args.course) as handle:
        course = json.load(handle)
    module = next(m for m in course["modules"] if m["id"] == args.module)
    key = question_key(module)
    total = drawn(module)
    base = args.base.rstrip("/")

    print("first visit: sign up and take half the module")
    driver = browser()
    try:
        driver.get(base + "/")
        check_page(driver, "welcome", args.screenshots)
        driver.find_element(By.ID, "name").send_keys("Robin <b>test</b>")
        click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "form[action^='/start'] button"))
        check_page(driver, "resume-code", args.screenshots)
        code = driver.find_element(By.CSS_SELECTOR, ".code strong").text.strip()
        expect(len(code.split("-")) == 4, f"a four-word resume code is shown (got '{code}')")
        click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "main a.button"))
        check_page(driver, "course", args.screenshots)
        expect("Robin <b>test</b>" in driver.find_element(By.CSS_SELECTOR, "header .who").text, "the display name shows as typed, escaped")
        practical_module, practical_number, practical_page = practical_section(course)
        if practical_module:
            note = driver.find_elements(By.CSS_SELECTOR, ".practical-note")
            expect(bool(note) and note[0].text.startswith("Practical skills signed off: 0 of 1."),
                   f"the course page says no practical skill is signed off yet ({note[0].text if note else 'no .practical-note'})")
        click_and_wait(driver, driver.find_element(By.LINK_TEXT, module["title"]))
        check_page(driver, "module", args.screenshots)
        # "Start this module" opens the first lesson; reading on with "Next" reaches the questions.
        click_and_wait(driver, driver.find_element(By.LINK_TEXT, "Start this module"))
        expect(driver.current_url.endswith("/sections/1"), f"a module starts at its first lesson ({driver.current_url})")
        check_page(driver, "lesson", args.screenshots)
        boxes = present(driver, "textarea.reflect")
        if boxes:
            boxes[0].send_keys("Something to think about")
        expect("Facilitator" not in driver.find_element(By.TAG_NAME, "main").text, "no facilitator notes on a learner's page")
        expect(not present(driver, "form.question"), "the first lesson shows no question before its time")
        half = max(1, total // 2)
        done = answer_until(driver, base, key, args.module, half, args.screenshots, keyboard_first=True)
        expect(done == half, f"answered {half} questions in the first visit (answered {done})")
    finally:
        driver.quit()

    print("second visit: a fresh browser, resume with the code, finish")
    driver = browser()
    try:
        driver.get(base + "/")
        driver.find_element(By.ID, "code").send_keys(code.upper().replace("-", " "))
        click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "form[action^='/resume'] button"))
        expect("In progress" in driver.page_source, "the course page shows the module in progress")
        click_and_wait(driver, driver.find_element(By.LINK_TEXT, module["title"]))
        resume_link = driver.find_elements(By.PARTIAL_LINK_TEXT, f"Continue at question {half + 1} of {total}")
        expect(bool(resume_link), f"the module offers to continue at question {half + 1} of {total}")
        if resume_link:
            click_and_wait(driver, resume_link[0])
        rest = answer_until(driver, base, key, args.module, None, args.screenshots)
        expect(rest == total - half, f"answered the other {total - half} questions (answered {rest})")
        expect("/result" in driver.current_url, f"the result page shows at the end ({driver.current_url})")
        check_page(driver, "result", args.screenshots)
        expect("passed" in driver.find_element(By.TAG_NAME, "h1").text, "the module is passed")
        if practical_module:
            driver.get(f"{base}/modules/{practical_module['id']}")
            click_and_wait(driver, driver.find_element(By.LINK_TEXT, practical_page["title"]))
            expect(driver.current_url.endswith(f"/modules/{practical_module['id']}/sections/{practical_number}"),
                   f"the module page links the practical's section ({driver.current_url})")
            check_practical_checklist(driver, practical_page, args.screenshots)
        driver.get(base + "/no-such-page")
        check_page(driver, "not-found", args.screenshots)
        expect("Page not found" in driver.page_source, "a friendly 404")
    finally:
        driver.quit()

    print("third visit, on a laptop: another learner reads the next module, misses, and follows a review link")
    second = course["modules"][1]
    second_key = question_key(second)
    driver = browser(LAPTOP)
    try:
        driver.get(base + "/")
        check_page(driver, "welcome-laptop", args.screenshots)
        driver.find_element(By.ID, "name").send_keys("Sam")
        click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "form[action^='/start'] button"))
        click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "main a.button"))
        click_and_wait(driver, driver.find_element(By.LINK_TEXT, second["title"]))
        click_and_wait(driver, driver.find_element(By.LINK_TEXT, "Start this module"))
        lessons = 0
        while not present(driver, "main form[action$='/attempts'] button"):
            next_links = [a for a in driver.find_elements(By.CSS_SELECTOR, "main a.button") if a.text.startswith("Next")]
            if not next_links:
                failures.append(f"reading {second['id']} in order met a dead end at {driver.current_url}")
                break
            lessons += 1
            click_and_wait(driver, next_links[0])
        expect(lessons >= 1, f"read {lessons} lessons of {second['id']} with Next before the questions")
        answer_until(driver, base, second_key, second["id"], None, args.screenshots, wrong=True)
        expect("/result" in driver.current_url, f"the result page shows at the end ({driver.current_url})")
        check_page(driver, "result-not-yet", args.screenshots)
        expect("not yet" in driver.find_element(By.TAG_NAME, "h1").text, "a missed module is not yet passed")
        review = driver.find_elements(By.CSS_SELECTOR, "main ul a[href*='/sections/']")
        expect(bool(review), "the result offers sections to review")
        if review:
            click_and_wait(driver, review[0])
            expect(not present(driver, "form.question, main form[action$='/attempts']"),
                   f"a review link leads to a lesson, not back to the questions ({driver.current_url})")
            check_page(driver, "review-lesson", args.screenshots)
    finally:
        driver.quit()

    if failures:
        print(f"\n{len(failures)} problem(s):")
        for failure in failures:
            print("  -", failure)
        return 1
    print(f"\nbrowser journey passed: {total} questions over two sessions, a practical's checklist, a missed module and its review; "
          f"axe clean on {len(checked_pages)} page types at phone and laptop sizes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
