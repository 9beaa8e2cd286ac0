"""What a rule change does to a corpus of proposals: verdicts and findings, old against new."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Change:
    proposal: str
    file: str
    old_verdict: str
    new_verdict: str
    changed: list[tuple[str, str, str]]  # rule id, old status, new status ("absent" if none)


def compare(proposals, old, new) -> list[Change]:
    """What changes between two sessions (old and new rules, all else equal) on proposals."""
    changes = []
    for proposal in proposals:
        before = old.screen(proposal)
        after = new.screen(proposal)
        old_status = {f.rule_id: _state(f) for f in before.findings}
        new_status = {f.rule_id: _state(f) for f in after.findings}
        changed = [
            (rule_id, old_status.get(rule_id, "absent"), new_status.get(rule_id, "absent"))
            for rule_id in sorted(set(old_status) | set(new_status))
            if old_status.get(rule_id) != new_status.get(rule_id)
        ]
        if changed or before.verdict != after.verdict:
            changes.append(
                Change(proposal.id, proposal.file, before.verdict, after.verdict, changed)
            )
    return changes


def _state(finding) -> str:
    """Status, with the severity where it matters (a flagged or unclear concern)."""
    if finding.status in ("flag", "unclear", "waived"):
        return f"{finding.status} ({finding.severity})"
    return finding.status


def describe(changes: list[Change], screened: int) -> str:
    lines = []
    for change in changes:
        verdict = change.old_verdict
        if change.new_verdict != change.old_verdict:
            verdict = f"{change.old_verdict} -> {change.new_verdict}"
        lines.append(f"{change.file}: {change.proposal}: verdict {verdict}")
        lines += [f"  {rule}: {old} -> {new}" for rule, old, new in change.changed]
    lines.append(f"{len(changes)} of {screened} proposals change")
    return "\n".join(lines) + "\n"
