"""The HTML reports opened in a real browser (headless Chromium driven by Playwright).

Proposals, waivers and an organisation's own rule carry script in every text a report shows:
script tags, event handlers, javascript: links, </title> and </style> breakouts, SVG onload.
Each page is loaded three times:

1. as written: no script runs, no element or attribute of the payloads reaches the page, the
   report's sections are there and the hostile text shows as text;
2. with its Content-Security-Policy removed: escaping alone keeps every payload inert;
3. with a script planted in it (policy kept): the policy alone blocks it.

Chromium is the Debian package (/usr/bin/chromium; CHROMIUM=PATH names another); Playwright
drives it without downloading a browser of its own. Without a browser the tests are skipped.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

from conftest import EXAMPLES, ORG_RULE
from pcd_screen.commands import cli
from pcd_screen.reports.portfolio import NAME_LENGTH

# Each payload would set window.__pwned to its number if the browser ran it.
PAYLOADS = [
    "<script>window.__pwned=1</script>",
    "<img src=x onerror=window.__pwned=2>",
    "<svg onload=window.__pwned=3><circle r=9></circle></svg>",
    '<a href="javascript:window.__pwned=4">open</a>',
    "</title><script>window.__pwned=5</script>",
    "</style><script>window.__pwned=6</script>",
    '"><img src=x onerror=window.__pwned=7>',
    "'><svg><script>window.__pwned=8</script></svg>",
    '<iframe srcdoc="<script>parent.__pwned=9</script>"></iframe>',
    "<details open ontoggle=window.__pwned=10>",
    "<input autofocus onfocus=window.__pwned=11>",
    '<meta http-equiv="refresh" content="0;url=javascript:window.__pwned=12">',
    "<math><mtext><a href=javascript:window.__pwned=13>m</a></mtext></math>",
    "<style>h1,h2{display:none}</style><!--",
]
HOSTILE = " ".join(PAYLOADS)
PROPOSAL_ID = (
    "ID-</title><script>window.__pwned=20</script>\"'><img src=x onerror=window.__pwned=21>"
)
TITLE = "Title " + HOSTILE
# A file name shows in the report (and the portfolio's inputs): it is text from outside too.
FILE_NAME = "<img src=x onerror=window.__pwned=30><svg onload=window.__pwned=31>.yaml"
# Every element the templates write; anything else in a page came from a payload.
TAGS = {
    *("html", "head", "meta", "title", "style", "body", "article", "section", "footer"),
    *("h1", "h2", "h3", "p", "div", "span", "strong", "em", "code", "pre", "br", "a"),
    *("ol", "ul", "li", "dl", "dt", "dd", "table", "tbody", "thead", "tr", "th", "td"),
    *("svg", "text", "rect"),
}
# A user's template (run in the sandbox): what it prints is escaped as in the built-in one.
USER_TEMPLATE = """\
<!DOCTYPE html>
<html lang="{{ lang }}"><head><meta charset="utf-8">
<title>{{ reports[0].result.proposal.id }}</title><style>h1 { color: #333 }</style></head>
<body>
{% for r in reports %}<article><h1>{{ r.result.proposal.title }}</h1>
<p><code>{{ r.result.proposal.file }}</code></p>
<h2>{{ _("Concerns") }}</h2>
{% for principle, findings in r.groups %}<h3>{{ principle }}</h3>
{% for f in findings %}<p>{{ f.title }}: {{ f.message }}</p>{% endfor %}{% endfor %}
</article>{% endfor %}
</body></html>
"""
PLANTED = "<script>window.__pwned=99</script><img src=x onerror=window.__pwned=98>"
CSP = re.compile(r'<meta http-equiv="Content-Security-Policy"[^>]*>\n?')
# Playwright adds --headless and a fresh profile folder of its own.
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# What a page shows, read in one call: whether a payload ran, what the payloads would have added
# (elements, handlers, script URLs), its title, headings and text.
STATE = """(allowed) => {
    const found = [];
    for (const el of document.querySelectorAll('*')) {
        const tag = el.localName;
        if (!allowed.includes(tag)) found.push('element <' + tag + '>');
        for (const attr of el.attributes) {
            if (attr.name.startsWith('on')) found.push(tag + ' ' + attr.name);
            if (/^\\s*javascript:/i.test(attr.value)) found.push(tag + ' ' + attr.name + '=js');
        }
    }
    if (document.querySelector('meta[http-equiv="refresh" i]')) found.push('meta refresh');
    const texts = (selector) => [...document.querySelectorAll(selector)].map((e) => e.innerText);
    return {
        pwned: window.__pwned, injected: found, title: document.title,
        h1: texts('h1'), h2: texts('h2'), text: document.body.innerText,
    };
}"""


def _chromium() -> str | None:
    named = os.environ.get("CHROMIUM")
    if named:
        return named
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


def _skip(reason: str):
    # CI sets PCD_SCREEN_REQUIRE_BROWSER once it has installed Chromium: there a browser that
    # does not start is a failure, not a reason to skip.
    if os.environ.get("PCD_SCREEN_REQUIRE_BROWSER"):
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser():
    executable = _chromium()
    if executable is None:
        _skip("no Chromium found (install the Debian package chromium, or set CHROMIUM=PATH)")
    with sync_playwright() as playwright:
        try:
            launched = playwright.chromium.launch(
                executable_path=executable, args=FLAGS, timeout=30_000
            )
        except PlaywrightError as exc:
            _skip(f"Chromium at {executable} could not be launched: {exc}")
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    """The HTML outputs of a hostile proposal: screen, batch (report, portfolio), catalogue."""
    tmp = tmp_path_factory.mktemp("hostile")
    data = yaml.safe_load((EXAMPLES / "border-control-transit-niger.yaml").read_text("utf-8"))
    data.update(
        id=PROPOSAL_ID,
        title=TITLE,
        summary=HOSTILE,
        description="L'appui à la police des frontières. " + HOSTILE,
        donor=HOSTILE,
        instrument="Instrument " + HOSTILE,
        regions=PAYLOADS[:3],
    )
    data["implementers"][0]["name"] = "Implementer " + HOSTILE
    for activity, payload in zip(data["activities"], PAYLOADS, strict=False):
        activity["title"] = payload
        activity["description"] = payload
    proposals = tmp / "proposals"
    proposals.mkdir()
    proposal = proposals / FILE_NAME
    proposal.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    rules = tmp / "rules"
    rules.mkdir()
    # JSON strings are YAML flow scalars: the payloads need no further quoting.
    rule = ORG_RULE
    for plain, hostile in (("Detention", "Org rule "), ("Because.", ""), ("Do not.", "Do ")):
        rule = rule.replace("{en: " + plain + "}", "{en: " + json.dumps(hostile + HOSTILE) + "}")
    (rules / "org.yaml").write_text(rule, encoding="utf-8")
    waivers = tmp / "waivers.yaml"
    waiver = {
        "justification": "Accepted " + HOSTILE,
        "approved_by": HOSTILE,
        "granted": "2026-01-01",
        "expires": "2027-01-01",
    }
    waivers.write_text(
        yaml.safe_dump(
            {
                "waivers": [
                    {"rule": "ORG-001", "proposal": PROPOSAL_ID, **waiver},
                    {"rule": "DNH-001", "proposal": "Stale " + HOSTILE, **waiver},
                ]
            }
        ),
        encoding="utf-8",
    )
    common = ["--as-of", "2026-11-23", "--rules", str(rules)]
    report = tmp / "report.html"
    screened = CliRunner().invoke(
        cli,
        ["screen", str(proposal), "--format", f"html={report}", "--waivers", str(waivers)]
        + ["--fail-on", "never", *common],
    )
    assert screened.exit_code == 0, screened.output
    both = tmp / "two.html"
    screened = CliRunner().invoke(
        cli,
        ["screen", str(proposal), str(EXAMPLES / "sparse-proposal.yaml"), "-f", f"html={both}"]
        + ["--fail-on", "never", *common],
    )
    assert screened.exit_code == 0, screened.output
    out = tmp / "batch"
    batched = CliRunner().invoke(
        cli,
        ["batch", str(proposal), str(EXAMPLES / "sparse-proposal.yaml"), "--out", str(out)]
        + common,
    )
    assert batched.exit_code == 0, batched.output
    catalogue = tmp / "catalogue"
    documented = CliRunner().invoke(
        cli, ["rules", "doc", "--format", "html", "--out", str(catalogue), "--rules", str(rules)]
    )
    assert documented.exit_code == 0, documented.output
    own = tmp / "own.html.j2"
    own.write_text(USER_TEMPLATE, encoding="utf-8")
    # The same template with escaping turned off by its author: the page's policy still holds.
    raw = tmp / "raw.html.j2"
    raw.write_text(USER_TEMPLATE.replace("proposal.title }}", "proposal.title | safe }}"), "utf-8")
    for name in ("own", "raw"):
        screened = CliRunner().invoke(
            cli,
            ["screen", str(proposal), "--template", str(tmp / f"{name}.html.j2")]
            + ["-f", f"html={tmp / name}.html", "--fail-on", "never", *common],
        )
        assert screened.exit_code == 0, screened.output
    (batch_report,) = (p for p in (out / "reports").glob("*.html") if p.name.startswith("ID-"))
    return {
        "report": report,
        "two reports": both,
        "batch report": batch_report,
        "portfolio": out / "portfolio.html",
        "catalogue": catalogue / "catalogue.html",
        "user template": tmp / "own.html",
        "user template, escaping off": tmp / "raw.html",
    }


@pytest.fixture(scope="module")
def tab(browser):
    """One tab for every page: a navigation starts each page afresh (a new window object)."""
    context = browser.new_context()
    page = context.new_page()
    yield page
    context.close()


class Visit:
    """One page load: what the page logged, raised and asked, and what it shows (STATE)."""

    def __init__(self, page, path: Path):
        self.console, self.errors, self.dialogs = [], [], []
        handlers = {
            "console": lambda message: self.console.append(message.text),
            "pageerror": lambda error: self.errors.append(str(error)),
            "dialog": lambda dialog: (self.dialogs.append(dialog.message), dialog.dismiss()),
        }
        for event, handler in handlers.items():
            page.on(event, handler)
        try:
            page.goto(path.as_uri(), wait_until="load")
            # Handlers that fire on their own (autofocus, toggle, refresh) get a moment to do so.
            page.wait_for_timeout(50)
            state = page.evaluate(STATE, sorted(TAGS))
        finally:
            for event, handler in handlers.items():
                page.remove_listener(event, handler)
        self.pwned, self.injected = state["pwned"], state["injected"]
        self.title, self.h1, self.h2, self.text = (state[k] for k in ("title", "h1", "h2", "text"))


def _variant(path: Path, name: str, change) -> Path:
    text = path.read_text(encoding="utf-8")
    changed = change(text)
    assert changed != text, f"{name}: nothing changed in {path.name}"
    target = path.with_name(f"{path.stem}.{name}.html")
    target.write_text(changed, encoding="utf-8")
    return target


PAGES = ["report", "two reports", "batch report", "portfolio", "catalogue", "user template"]
# The page of two reports adds nothing to these (the same template as one report's).
VARIANTS = [name for name in PAGES if name != "two reports"]
SECTIONS = {
    "report": ["Concerns", "Questions for the applicant", "Strengths", "Facts", "Waivers"],
    "two reports": ["Concerns", "Questions for the applicant", "Strengths", "Facts"],
    "batch report": ["Concerns", "Questions for the applicant", "Strengths", "Facts"],
    "portfolio": ["Verdicts", "By implementer", "By funding instrument", "Proposals, worst first"],
    "catalogue": [],
    "user template": ["Concerns"],
}
# Where each page shows the hostile texts, as text.
SHOWN = {
    "report": [PROPOSAL_ID, TITLE, FILE_NAME, "Org rule " + HOSTILE, "Accepted " + HOSTILE],
    "two reports": [PROPOSAL_ID, TITLE, FILE_NAME],
    "batch report": [PROPOSAL_ID, TITLE, FILE_NAME, "Org rule " + HOSTILE],
    # an implementer's name is cut for the portfolio's tables (its payloads stay in the others)
    "portfolio": [
        PROPOSAL_ID,
        TITLE,
        FILE_NAME,
        ("Implementer " + HOSTILE)[:NAME_LENGTH],
        "Instrument " + HOSTILE,
    ],
    "catalogue": ["Org rule " + HOSTILE],
    "user template": [TITLE, FILE_NAME, "Org rule " + HOSTILE],
}


@pytest.mark.parametrize("name", PAGES)
def test_no_payload_runs_and_the_report_renders(tab, outputs, name):
    visit = Visit(tab, outputs[name])
    assert visit.pwned is None, f"payload {visit.pwned} ran"
    assert visit.injected == [], "payloads became markup"
    assert visit.dialogs == [] and visit.errors == []
    # Nothing was there for the policy to block.
    assert visit.console == []
    assert visit.h1 != []
    for section in SECTIONS[name]:
        assert section in visit.h2, (section, visit.h2)
    for shown in SHOWN[name]:
        assert shown in visit.text, f"{shown!r} is not shown as text"
    if name == "report":
        assert visit.title == f"PCD screening: {PROPOSAL_ID}"
        assert TITLE in visit.h1[0]


@pytest.mark.parametrize("name", VARIANTS)
def test_escaping_alone_keeps_payloads_inert(tab, outputs, name):
    """Without the Content-Security-Policy, script would run if anything were not escaped."""
    page = _variant(outputs[name], "no-csp", lambda text: CSP.sub("", text, count=1))
    visit = Visit(tab, page)
    assert visit.pwned is None, f"payload {visit.pwned} ran"
    assert visit.injected == [], "payloads became markup"
    assert visit.dialogs == [] and visit.errors == []


@pytest.mark.parametrize("name", VARIANTS)
def test_the_policy_alone_blocks_a_planted_script(tab, outputs, name):
    """Every HTML output forbids script: markup that got past escaping would still not run."""
    page = _variant(
        outputs[name], "planted", lambda text: text.replace("<body>", "<body>" + PLANTED)
    )
    visit = Visit(tab, page)
    assert visit.pwned is None, f"planted script {visit.pwned} ran"
    assert visit.dialogs == [] and visit.errors == []
    assert any("Content Security Policy" in line for line in visit.console), visit.console


def test_a_user_template_that_turns_escaping_off_still_runs_no_script(tab, outputs):
    """The page of an HTML template always carries the reports' policy, first of all."""
    visit = Visit(tab, outputs["user template, escaping off"])
    assert visit.injected != [], "the payloads should have become markup here"
    assert visit.pwned is None, f"payload {visit.pwned} ran"
    assert visit.dialogs == [] and visit.errors == []
    assert any("Content Security Policy" in line for line in visit.console), visit.console


@pytest.mark.parametrize("name", ["report", "portfolio", "catalogue"])
def test_pages_fit_an_a4_page_when_printed(browser, outputs, name):
    """Printed on A4 (794 CSS pixels wide), nothing is cut off at the right edge."""
    context = browser.new_context(viewport={"width": 794, "height": 1123})
    try:
        page = context.new_page()
        page.goto(outputs[name].as_uri(), wait_until="load")
        page.emulate_media(media="print")
        assert page.evaluate("document.documentElement.scrollWidth") <= 794
    finally:
        context.close()
