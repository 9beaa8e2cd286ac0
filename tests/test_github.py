import re
from dataclasses import replace

import pytest

from conftest import AS_OF, CI_RUN, EXAMPLES, screened, waived_niger, waiver_record, with_findings
from pcd_screen.engine.evaluate import evaluate
from pcd_screen.engine.refdata import load_refdata
from pcd_screen.engine.ruleset import load_ruleset
from pcd_screen.inputs.proposal import load_proposal
from pcd_screen.reports import github
from pcd_screen.reports.common import Run
from pcd_screen.reports.github import escape_data, escape_property, render_github, step_summary

NIGER = "border-control-transit-niger"
WAIVER = waiver_record("Accepted | UNHCR monitors the <border posts> *quarterly*")
RUN = CI_RUN
LINE = re.compile(r"^::(error|warning|notice) (file=[^,:]+(?:,line=\d+)?,title=[^,:]+)::(.+)$")


def ci_results():
    return [
        waived_niger(WAIVER),
        screened("in-donor-refugee-costs"),
        screened("diaspora-health-ghana"),
    ]


def unescape(text):
    # GitHub's runner decodes in this order; %25 last so "%253A" stays "%3A".
    for code, char in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        text = text.replace(code, char)
    return text


@pytest.fixture
def unlimited(monkeypatch):
    """No cap on annotations per type, for the tests of what each annotation says."""
    monkeypatch.setattr(github, "PER_TYPE", 1000)


def annotations(results=None):
    out = {}
    for line in render_github(ci_results() if results is None else results, RUN).splitlines():
        match = LINE.match(line)
        assert match, line
        props = dict(p.split("=", 1) for p in match.group(2).split(","))
        props = {k: unescape(v) for k, v in props.items()}
        key = (props["file"], props["title"].split(" ", 1)[0])
        out[key] = {"command": match.group(1), **props, "message": unescape(match.group(3))}
    return out


def test_one_line_per_flagged_or_unclear_concern(unlimited):
    text = render_github(ci_results(), RUN)
    expected = {
        (r.proposal["file"], f.rule_id)
        for r in ci_results()
        for f in r.findings
        if f.kind == "concern" and f.status in ("flag", "unclear")
    }
    assert len(text.splitlines()) == len(expected)
    assert set(annotations()) == expected
    niger = f"examples/{NIGER}.yaml"
    assert (niger, "DNH-003") not in annotations()  # waived
    ghana = {k for k in annotations() if "ghana" in k[0]}
    assert not ghana  # only strengths there


def test_commands_and_lines(unlimited):
    notes = annotations()
    niger = f"examples/{NIGER}.yaml"
    assert notes[(niger, "DNH-001")]["command"] == "error"  # critical
    assert notes[(niger, "NOC-003")]["command"] == "error"  # high
    assert notes[(niger, "DNH-004")]["command"] == "warning"  # medium
    assert notes[(niger, "MFD-004")]["command"] == "notice"  # low
    finding = next(f for f in screened(NIGER).findings if f.rule_id == "DNH-001")
    # The line of what flagged it (the missing safeguard), not of what put it in scope.
    (safeguard,) = [e for e in finding.evidence if e.path.endswith("human_rights_risk_assessment")]
    assert notes[(niger, "DNH-001")]["line"] == str(safeguard.line)
    assert "expired on 2026-10-31" in notes[(niger, "DNH-001")]["message"]
    unclear = notes[("examples/in-donor-refugee-costs.yaml", "NOC-003")]
    assert unclear["command"] == "notice"  # unclear, though the rule is high
    assert "line" not in unclear  # nothing locates selection_criteria: no made-up line 1
    assert "selection_criteria" in unclear["message"]


def test_titles_and_messages_round_trip_through_the_escaping(unlimited):
    notes = annotations()
    for result in ci_results():
        for finding in result.findings:
            note = notes.get((result.proposal["file"], finding.rule_id))
            if note:
                assert note["title"] == f"{finding.rule_id} {finding.title}"
                if finding.status == "flag":
                    assert note["message"].startswith(finding.message)
                    assert finding.recommendation in note["message"]
    text = render_github(ci_results(), RUN)
    assert "ODA-009 ODA financed from a home-affairs budget%3A primary" in text
    assert "DNH-001 Support to interception at sea%2C detention" in text
    assert "%0AWhat to do: " in text


def test_escaping_rules():
    assert escape_data("50% done\r\nnext: a, b") == "50%25 done%0D%0Anext: a, b"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    assert escape_property("%3A") == "%253A"  # an escape sequence in the data stays literal
    # The job log would act on terminal sequences: they are shown, not sent.
    assert escape_data("red \x1b[31m\u202e") == "red <U+001B>[31m<U+202E>"


def test_hostile_message_stays_on_one_line():
    def change(f):
        if f.rule_id == "DNH-004":
            return replace(f, message="line one\r\n::error::injected 100%", title="a,b:c")
        return f

    text = render_github([with_findings(screened(NIGER), change)], RUN)
    (line,) = [x for x in text.splitlines() if "DNH-004" in x]
    # The runner splits at the first "::" after the properties; a "::" in the data is text,
    # and with the line breaks escaped it can never start a command line of its own.
    assert line.startswith("::warning file=") and "\r" not in line
    assert "title=DNH-004 a%2Cb%3Ac::line one%0D%0A::error::injected 100%25" in line


def test_step_summary():
    text = step_summary(ci_results(), RUN)
    assert text.startswith("## pcd-screen: 3 proposals screened")
    assert "Waivers: 1 applied, 1 expired, 1 stale." in text
    verdict_table = text.split("| Proposal | File | Verdict |", 1)[1].split("\n\n", 1)[0]
    rows = {
        line.split(" | ")[0].lstrip("| "): line
        for line in verdict_table.splitlines()
        if line.startswith("| ") and "---" not in line
    }
    assert "| **block** |" in rows["EU-NDICI-2026-NE-031"]
    assert "| **revise** |" in rows["BE-2026-FEDASIL-ODA"]
    assert "| clear |" in rows["NL-2026-GHA-MIDA-HEALTH"]
    # Flagged counts per severity, the waived count in its column.
    niger = ci_results()[0].summary["concerns"]
    counts = f"{niger['critical']} critical, {niger['high']} high, {niger['medium']} medium"
    assert counts in rows["EU-NDICI-2026-NE-031"]
    assert "### Waived findings (1)" in text
    assert "### Expired waivers (1)" in text and "expired on 2026-10-31" in text
    assert "### Stale waivers (1)" in text and "EU\\-GONE\\-1" not in text
    assert "NOC-001 for EU-GONE-1 (.pcd-waivers.yaml line 20)" in text
    (waived_row,) = [line for line in text.splitlines() if "DNH-003" in line]
    # The justification's "|", "<" and "*" cannot break the table or become markup.
    assert "Accepted \\| UNHCR monitors the \\<border posts\\> \\*quarterly\\*" in waived_row
    assert len(re.findall(r"(?<!\\)\|", waived_row)) == 6
    assert "the run **fails**" in text
    assert step_summary(list(reversed(ci_results())), RUN) == text


def test_step_summary_when_the_run_never_fails():
    text = step_summary([screened("diaspora-health-ghana")], Run(fail_on="never"))
    assert text.startswith("## pcd-screen: 1 proposal screened")
    assert "does not fail" in text
    assert "Waivers: 0 applied, 0 expired, 0 stale." in text
    assert "###" not in text


def test_strict_policy_raises_unclear_critical_and_high(unlimited):
    proposal = load_proposal(EXAMPLES / "sparse-proposal.yaml", "examples/sparse-proposal.yaml")
    strict = evaluate(
        proposal, load_ruleset(), load_refdata(), AS_OF, unclear_as_flag=("critical", "high")
    )
    notes = annotations([strict])
    assert notes[("examples/sparse-proposal.yaml", "DNH-001")]["command"] == "error"
    assert notes[("examples/sparse-proposal.yaml", "DNH-004")]["command"] == "notice"


def test_annotations_keep_to_githubs_limit_and_say_what_was_left_out():
    # GitHub shows 10 annotations per type per step; the rest vanished without a word (one
    # example proposal alone makes 11).
    results = ci_results()
    run = replace(CI_RUN, report_files=("pcd-screen.sarif",))
    lines = render_github(results, run).splitlines()
    counts = {kind: sum(x.startswith(f"::{kind} ") for x in lines) for kind in github.TYPES}
    assert all(count <= github.PER_TYPE for count in counts.values()), counts
    github.PER_TYPE, old = 1000, github.PER_TYPE
    try:
        total = len(render_github(results, run).splitlines())
    finally:
        github.PER_TYPE = old
    assert len(lines) - 1 < total  # more findings than fit: some were left out
    notice = lines[-1]
    assert notice.startswith("::notice title=pcd-screen::")
    left_out = total - (len(lines) - 1)
    assert f"{left_out} more annotations left out" in notice
    assert "job summary" in notice and "pcd-screen.sarif" in notice
    # The errors kept are the most serious: every critical one.
    criticals = sum(
        f.severity == "critical" and f.status == "flag" for r in results for f in r.findings
    )
    assert sum("DNH-001" in x or "critical" in x for x in lines) >= min(criticals, 1)


def test_critical_and_high_annotations_within_the_limit_come_first(monkeypatch):
    monkeypatch.setattr(github, "PER_TYPE", 2)
    lines = render_github(ci_results(), CI_RUN).splitlines()
    errors = [x for x in lines if x.startswith("::error ")]
    assert len(errors) == 2
    assert any("DNH-001" in x for x in errors)  # the critical concern is never the one cut


def test_a_proposal_that_cannot_be_read_is_annotated_on_its_line(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from pcd_screen.commands import cli

    bad = tmp_path / "bad.yaml"
    text = (EXAMPLES / "sparse-proposal.yaml").read_text(encoding="utf-8")
    bad.write_text(text + "budget:\n  total: six million\n  currency: EUR\n", encoding="utf-8")
    line = text.count("\n") + 2
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    result = CliRunner().invoke(cli, ["screen", str(bad)])
    assert result.exit_code == 2
    annotations = [x for x in result.stdout.splitlines() if x.startswith("::error ")]
    assert len(annotations) == 1
    assert f",line={line}," in annotations[0] and "budget.total" in annotations[0]
    assert "Traceback" not in result.output
    # a message without a line is left to stderr
    assert github.input_error_annotations(["bad.yaml: cannot read the file"]) == ""


@pytest.mark.parametrize(
    ("lang", "words", "english"),
    [
        ("nl", ("onduidelijk: het voorstel vermeldt", "Wat te doen:"), ("What to do", "unclear")),
        (
            "fr",
            ("incertain : la proposition n’indique pas", "Que faire :"),
            ("What to do", "unclear"),
        ),
    ],
)
def test_annotations_read_in_the_report_language(lang, words, english):
    # a new user's trial: the Dutch and French annotations wrapped their findings in English
    proposal = load_proposal(EXAMPLES / "sparse-proposal.yaml", "examples/sparse-proposal.yaml")
    result = evaluate(proposal, load_ruleset(), load_refdata(), AS_OF, lang=lang)
    text = github.render_github([result], CI_RUN)
    assert all(word in text for word in words)
    assert not any(word in text for word in english)
