from pcd_screen.engine.refdata import load_refdata
from pcd_screen.engine.ruleset import load_ruleset
from pcd_screen.runs.fixtures import coverage_gaps, fixture_session, run_rule_fixtures

RULE = """\
- id: FIX-001
  principle: ldc-focus
  severity: medium
  kind: concern
  title: {en: t}
  message: {en: m}
  rationale: {en: r}
  recommendation: {en: rec}
  flag_when: {fact: ldc_share, lt: 0.5}
  sources: [{doc: be-dgd, section: Geografische focus}]
  tests:
    - {expect: flag, name: not an LDC, proposal: {countries: [{code: MAR}]}}
    - {expect: pass, name: an LDC, proposal: {countries: [{code: NER}]}}
    - {expect: unclear, name: no country, proposal: {}}
    - {expect: flag, name: wrong on purpose, proposal: {countries: [{code: NER}]}}
    - {expect: pass, name: invalid fixture, proposal: {countries: [{code: ZZZ}]}}
    - expect: pass
      name: Bangladesh before its scheduled graduation
      as_of: "2026-11-23"
      proposal: {countries: [{code: BGD}]}
    - expect: unclear
      name: Bangladesh after 24 Nov 2026 (no General Assembly decision found)
      as_of: "2026-12-01"
      proposal: {countries: [{code: BGD}]}
"""


def test_fixture_results(tmp_path):
    (tmp_path / "r.yaml").write_text(RULE)
    ruleset = load_ruleset([tmp_path], validate=True, builtin=False)
    results = run_rule_fixtures(ruleset.rules[0], fixture_session(ruleset, load_refdata()))
    assert [(r.expected, r.actual) for r in results] == [
        ("flag", "flag"),
        ("pass", "pass"),
        ("unclear", "unclear"),
        ("flag", "pass"),
        ("pass", "invalid"),
        ("pass", "pass"),
        ("unclear", "unclear"),
    ]
    assert [r.passed for r in results] == [True, True, True, False, False, True, True]
    assert "countries[0].code" in results[4].detail
    assert coverage_gaps(ruleset.rules[0]) == []


def test_a_fixture_that_does_not_depend_on_the_condition_tests_nothing(tmp_path):
    rule = RULE.split("  tests:")[0].replace("FIX-001", "FIX-002")
    rule = rule.replace(
        "  flag_when:", "  applies_when: {path: oda.reported_as_oda, eq: true}\n  flag_when:"
    )
    rule += """  tests:
    - {expect: flag, proposal: {oda: {reported_as_oda: true}, countries: [{code: MAR}]}}
    - {expect: pass, proposal: {oda: {reported_as_oda: true}, countries: [{code: NER}]}}
    - {expect: not-applicable, proposal: {oda: {reported_as_oda: false}}}
    - {expect: pass, name: vacuous, proposal: {oda: {reported_as_oda: false}}}
"""
    (tmp_path / "r.yaml").write_text(rule)
    ruleset = load_ruleset([tmp_path], validate=True, builtin=False)
    assert coverage_gaps(ruleset.rules[0], fixture_session(ruleset, load_refdata())) == [
        "fixture #4 tests nothing"
    ]
