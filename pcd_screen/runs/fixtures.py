"""Run the fixtures that every rule carries (must flag, must pass, must be unclear, ...),
through the screening session like every other caller."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from pcd_screen.core.located import LoadError
from pcd_screen.engine.conditions import Context, Node, Outcome
from pcd_screen.engine.ruleset import Rule, Ruleset
from pcd_screen.inputs.proposal import proposal_from_data

DEFAULT_AS_OF = date(2026, 11, 23)


@dataclass
class FixtureResult:
    rule_id: str
    index: int
    name: str
    expected: str
    actual: str
    detail: str = ""
    file: str = ""
    line: int | None = None

    @property
    def passed(self) -> bool:
        return self.expected == self.actual


def fixture_context(rule: Rule, index: int, test: dict, session):
    """The context a fixture is evaluated in; raises LoadError for an invalid fixture."""
    as_of = _fixture_date(test)
    if rule.scope == "portfolio":
        return portfolio_context(test.get("facts") or {}, session.ruleset, as_of)
    proposal = proposal_from_data(
        _fixture_data(rule, index, test), f"{rule.id} fixture {index + 1}"
    )
    return session.context(proposal, as_of)


def portfolio_context(values: dict, ruleset: Ruleset, as_of: date) -> Context:
    from pcd_screen.engine.facts import PORTFOLIO_FACT_DOCS, Fact

    facts = {
        name: Fact(values.get(name), [], [] if values.get(name) is not None else [("facts", name)])
        for name in PORTFOLIO_FACT_DOCS
    }
    return Context(data={}, facts=facts, refdata=None, as_of=as_of, lexicon=ruleset.lexicon)


def fixture_session(ruleset: Ruleset, refdata):
    """The session fixtures run in: the ruleset as given, no waivers, the fixtures' own dates."""
    from pcd_screen.engine.session import Session

    return Session(ruleset, refdata, DEFAULT_AS_OF)


def run_rule_fixtures(rule: Rule, session) -> list[FixtureResult]:
    results = []
    for index, test in enumerate(rule.fixtures()):
        name = test.get("name") or f"fixture {index + 1}"
        expect = test["expect"]
        try:
            ctx = fixture_context(rule, index, test, session)
        except LoadError as exc:
            detail = "; ".join(e.field_and_message() for e in exc.errors)
            results.append(
                FixtureResult(rule.id, index, name, expect, "invalid", detail, rule.file, None)
            )
            continue
        status, outcome = session.rule_status(rule, ctx)
        detail = ""
        if status != expect and outcome.missing:
            detail = "missing: " + ", ".join(
                sorted({".".join(map(str, p)) for p in outcome.missing})
            )
        results.append(FixtureResult(rule.id, index, name, expect, status, detail, rule.file, None))
    return results


def _fixture_data(rule: Rule, index: int, test: dict) -> dict:
    name = test.get("name") or f"fixture {index + 1}"
    data = {"schema_version": 1, "id": f"{rule.id}-fixture-{index + 1}", "title": name}
    data.update(test.get("proposal") or {})
    return data


def _fixture_date(test: dict) -> date:
    return date.fromisoformat(test["as_of"]) if test.get("as_of") else DEFAULT_AS_OF


def run_fixtures(session) -> list[FixtureResult]:
    return [r for rule in session.ruleset.rules for r in run_rule_fixtures(rule, session)]


def coverage_gaps(rule: Rule, session=None) -> list[str]:
    """What a rule's fixtures fail to test: every rule needs one that flags and one that does
    not, and a fixture whose answer would be the same whatever flag_when says tests nothing."""
    kinds = {t.get("expect") for t in rule.fixtures()}
    gaps = []
    if "flag" not in kinds:
        gaps.append("no fixture that must flag")
    if not kinds & {"pass", "not-applicable"}:
        gaps.append("no fixture that must not flag")
    if session is not None:
        gaps += [f"fixture #{i + 1} tests nothing" for i in vacuous_fixtures(rule, session)]
    return gaps


@dataclass
class _Constant(Node):
    value: bool

    def evaluate(self, ctx, base=()):
        return Outcome(self.value)


def vacuous_fixtures(rule: Rule, session) -> list[int]:
    """Fixtures expecting flag, pass or unclear whose answer does not depend on flag_when."""
    always = replace(rule, flag_when=_Constant(True))
    never = replace(rule, flag_when=_Constant(False))
    found = []
    for index, test in enumerate(rule.fixtures()):
        if test.get("expect") == "not-applicable":
            continue  # tests applies_when, which is the point
        try:
            ctx = fixture_context(rule, index, test, session)
        except LoadError:
            continue  # reported as invalid by run_rule_fixtures
        if session.rule_status(always, ctx)[0] == session.rule_status(never, ctx)[0]:
            found.append(index)
    return found
