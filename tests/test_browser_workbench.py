"""The workbench in a real browser: headless Chromium (the system's, as in test_browser.py)
driven by Playwright against `pcd-screen serve` started on 127.0.0.1 with a free port.

Upload the bundled Word proposal, see the draft and the verdict, change an answer and see the
verdict change (through the workbench's own script, under its Content-Security-Policy), record
a decision, download the PDF report and check its text and that its summary is one page."""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import time
import urllib.request

import pypdf
import pytest
from test_browser import FLAGS, _chromium, _skip

from conftest import EXAMPLES, REPO

DOCX = EXAMPLES / "documents" / "youth-skills-jobs-senegal.docx"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    process = subprocess.Popen(
        [sys.executable, "-m", "pcd_screen", "serve", "--port", str(port), "--as-of", "2026-11-23"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url + "/", timeout=1)
            break
        except OSError:
            if process.poll() is not None:
                pytest.fail(f"serve stopped: {process.stderr.read()}")
            time.sleep(0.2)
    else:
        process.kill()
        pytest.fail("serve did not start")
    yield url
    process.terminate()
    process.wait(10)


@pytest.fixture(scope="module")
def page(server):
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    executable = _chromium()
    if executable is None:
        _skip("no Chromium found (install the Debian package chromium, or set CHROMIUM=PATH)")
    with sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(executable_path=executable, args=FLAGS)
        except PlaywrightError as exc:
            _skip(f"Chromium at {executable} could not be launched: {exc}")
        context = browser.new_context(
            accept_downloads=True, viewport={"width": 1400, "height": 900}
        )
        tab = context.new_page()
        tab.problems = []
        tab.on("console", lambda m: m.type == "error" and tab.problems.append(m.text))
        tab.on("pageerror", lambda e: tab.problems.append(str(e)))
        yield tab
        browser.close()


def test_the_desk_officers_session(server, page, tmp_path):
    page.goto(server + "/")
    page.set_input_files("#document", str(DOCX))
    page.click("#upload")
    page.wait_for_selector("#verdict")
    # The draft: values from the document, with where each was found.
    assert page.input_value("#f-budget-total-in") == "9600000"
    assert "p. 1, table 1, row 6, cell 2" in page.inner_text("#f-budget-total")
    assert page.input_value("#f-countries-0-code-in") == "SEN"
    assert page.get_attribute("#verdict", "data-verdict") == "block"
    assert "Release of the second and third tranches" in page.inner_text("#report")

    # An answer changes: the readmission clause is struck from the agreement. The script
    # screens again on change; the verdict follows.
    page.fill("#f-conditions-1-text-in", "")
    page.dispatch_event("#f-conditions-1-text-in", "change")
    # The text layer still reads the clause in the description (NOC-007): still blocked.
    page.wait_for_selector("#verdict[data-verdict]")
    assert page.get_attribute("#verdict", "data-verdict") == "block"
    description = page.input_value("#f-description-in")
    clause = description.index("Release of the second")
    struck = description[:clause] + description[description.index(".", clause) + 1 :]
    page.fill("#f-description-in", struck)
    page.dispatch_event("#f-description-in", "change")
    # R3 still counts fewer departures as success (MFD-001, high): dropped with the applicant.
    page.wait_for_selector('#verdict[data-verdict="revise"]', timeout=30_000)
    for field in ("statement", "indicators-0-name", "indicators-0-baseline", "indicators-0-target"):
        page.fill(f"#f-results-2-{field}-in", "")
        page.dispatch_event(f"#f-results-2-{field}-in", "change")
    page.wait_for_selector('#verdict[data-verdict="clarify"]', timeout=30_000)

    # Another answer: the activities' categories, as the officer classifies them.
    with page.expect_navigation():
        page.select_option("#f-activities-3-category-in", "deterrence-campaign")
    assert page.input_value("#f-activities-3-category-in") == "deterrence-campaign"
    assert "discourage people from migrating" in page.inner_text("#f-activities-3-category")

    # A decision on a finding, with who and why.
    page.fill("#officer", "A. Jansen")
    finding = page.locator("#f-DQ-009")
    finding.locator('input[value="disagree"]').check()
    finding.locator('input[name="reason"]').fill("The budget annex classifies every line")
    finding.locator("button").click()
    page.wait_for_selector("#f-DQ-009 .decided")
    assert "The budget annex classifies every line" in page.inner_text("#f-DQ-009 .decided")

    # The PDF report: its text, its one-page summary, the decision in its audit trail.
    with page.expect_download() as download:
        page.click("#dl-pdf")
    path = tmp_path / "report.pdf"
    download.value.save_as(path)
    pdf = pypdf.PdfReader(io.BytesIO(path.read_bytes()))
    first = " ".join(pdf.pages[0].extract_text().split())
    assert "PCD screening: BE-DGD-2027-SN-014" in first
    assert "CLARIFICATION NEEDED" in first and "Questions for the applicant" in first
    assert pdf.pages[1].extract_text().lstrip().startswith("Concerns")
    whole = " ".join(" ".join(p.extract_text() for p in pdf.pages).split())
    assert "Decisions of the desk officer" in whole and "A. Jansen" in whole
    assert page.problems == []


def test_the_interface_speaks_the_officers_language(server, page):
    page.goto(server + "/?lang=fr")
    assert page.inner_text("h1") == "Examiner une proposition"
    page.set_input_files("#document", str(DOCX))
    page.click("#upload")
    page.wait_for_selector("#verdict")
    options = page.inner_text("#f-countries-0-code-in")
    assert "Éthiopie" in options and "Sénégal" in options
    assert "Pourquoi nous le demandons" in page.inner_text("#report")
    assert "Demandé par le partenaire" in page.inner_text("#f-ownership-requested_by_partner")
    page.goto(server + "/?lang=en")
