"""Run the fixtures that every rule carries (must flag, must pass, must be unclear, ...)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from pcd_screen.engine import context_for, status_of
from pcd_screen.proposal import proposal_from_data
from pcd_screen.rules import Rule, Ruleset
from pcd_screen.yamlload import LoadError

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


def run_rule_fixtures(rule: Rule, ruleset: Ruleset, refdata) -> list[FixtureResult]:
    results = []
    for index, test in enumerate(rule.tests):
        name = test.get("name") or f"fixture {index + 1}"
        data = {"schema_version": 1, "id": f"{rule.id}-fixture-{index + 1}", "title": name}
        data.update(test.get("proposal") or {})
        as_of = date.fromisoformat(test["as_of"]) if test.get("as_of") else DEFAULT_AS_OF
        line = None
        try:
            proposal = proposal_from_data(data, f"{rule.id} fixture {index + 1}")
        except LoadError as exc:
            detail = "; ".join(f"{e.path}: {e.message}" for e in exc.errors)
            results.append(
                FixtureResult(
                    rule.id, index, name, test["expect"], "invalid", detail, rule.file, line
                )
            )
            continue
        status, outcome = status_of(rule, context_for(proposal, ruleset, refdata, as_of))
        detail = ""
        if status != test["expect"] and outcome.missing:
            detail = "missing: " + ", ".join(
                sorted({".".join(map(str, p)) for p in outcome.missing})
            )
        results.append(
            FixtureResult(rule.id, index, name, test["expect"], status, detail, rule.file, line)
        )
    return results


def run_fixtures(ruleset: Ruleset, refdata) -> list[FixtureResult]:
    return [r for rule in ruleset.rules for r in run_rule_fixtures(rule, ruleset, refdata)]


def coverage_gaps(rule: Rule) -> list[str]:
    """What fixtures a rule lacks: every rule needs one that flags and one that does not."""
    kinds = {t.get("expect") for t in rule.tests}
    gaps = []
    if "flag" not in kinds:
        gaps.append("no fixture that must flag")
    if not kinds & {"pass", "not-applicable"}:
        gaps.append("no fixture that must not flag")
    return gaps
