"""The screening session: one ruleset (with the configuration's rule settings applied), the
reference data, the as-of date, the report language, the verdict policy and the waivers, and
one way to screen a proposal with them. Every caller screens through a session (screen, batch,
rules test, rules diff, the workbench), so a setting cannot apply in one and not another.

The session neither prints nor reads proposals; it is given them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from pcd_screen.core.proposal import Proposal
from pcd_screen.engine.conditions import Context
from pcd_screen.engine.evaluate import context_for, evaluate, evaluate_portfolio, status_of
from pcd_screen.engine.result import Result
from pcd_screen.engine.ruleset import Rule, Ruleset


# repr=False: a dataclass's generated methods are compiled at every import (start-up).
@dataclass(repr=False, eq=False)
class Session:
    ruleset: Ruleset
    refdata: object  # engine.refdata.RefData
    as_of: date
    lang: str = "en"
    # Severities at which a rule that cannot be checked counts as flagged (a profile's policy).
    unclear_as_flag: tuple[str, ...] = ()
    # engine.waivers.Waiver list, or None when the run has no waivers file.
    waivers: list | None = None
    # What the run should tell about its settings (waivers naming rules not in the catalogue).
    notes: list = field(default_factory=list)
    # Waivers that covered a finding in this session (in force or expired): the rest are stale.
    _matched: set = field(default_factory=set, repr=False)
    _expired: set = field(default_factory=set, repr=False)

    def screen(self, proposal: Proposal, as_of: date | None = None) -> Result:
        """The result of one proposal, with the waivers in force applied."""
        day = as_of or self.as_of
        result = evaluate(
            proposal, self.ruleset, self.refdata, day, self.lang, self.unclear_as_flag
        )
        if not self.waivers:
            return result
        from pcd_screen.engine.waivers import apply_waivers

        report = apply_waivers([result], self.waivers, day)
        self._matched.update(report.applied, report.expired)
        self._expired.update(report.expired)
        return report.results[0]

    def portfolio_findings(self, facts: dict) -> list:
        """The findings of the portfolio rules on a batch run's facts."""
        return evaluate_portfolio(facts, self.ruleset, self.as_of, self.lang)

    def context(self, proposal: Proposal, as_of: date | None = None) -> Context:
        """What the rules see of a proposal (for running one rule: fixtures, explanations)."""
        return context_for(proposal, self.ruleset, self.refdata, as_of or self.as_of)

    def rule_status(self, rule: Rule, ctx: Context):
        """(status, outcome) of one rule in a context."""
        return status_of(rule, ctx)

    def expired_waivers(self) -> list:
        return _ordered(self._expired)

    def stale_waivers(self, matched=()) -> list:
        """Waivers that covered nothing screened in this session (or in `matched`, the waivers
        other processes of the same run matched)."""
        used = self._matched | set(matched)
        return _ordered(w for w in self.waivers or () if w not in used)


def _ordered(waivers) -> list:
    return sorted(set(waivers), key=lambda w: (w.file, w.line or 0, w.rule, w.proposal))
