"""Two portfolio runs compared (their results.jsonl): proposals added, removed, and changed."""

from __future__ import annotations

import json
from pathlib import Path

from pcd_screen.core.located import clip
from pcd_screen.core.yamlread import open_input


def read_run(folder) -> dict[str, dict]:
    """proposal id -> result, from a batch output folder (or a results.jsonl file).

    A run folder is input like any other (it may be hand-made or edited): every line must be a
    result of the published shape, or ValueError names the file and line."""
    path = Path(folder)
    if path.is_dir():
        path = path / "results.jsonl"
    results = {}
    try:
        handle = open_input(path)
    except OSError as exc:
        raise ValueError(f"{path}: cannot read: {exc.strerror}") from None
    with handle:
        for number, raw in enumerate(handle, 1):
            if not raw.strip():
                continue
            where = f"{path}:{number}"
            try:
                result = json.loads(raw.decode("utf-8"))
            except (UnicodeDecodeError, ValueError, RecursionError) as exc:
                problem = "nested too deeply" if isinstance(exc, RecursionError) else exc
                raise ValueError(f"{where}: not a JSON result: {clip(str(problem), 200)}") from None
            problem = _shape_problem(result)
            if problem:
                raise ValueError(f"{where}: not a pcd-screen result: {problem}")
            results[result["proposal"]["id"]] = result
    return results


def _shape_problem(result) -> str | None:
    """What makes a parsed line unusable as a result (None: usable by compare_runs)."""
    if not isinstance(result, dict):
        return "expected an object"
    proposal = result.get("proposal")
    if not isinstance(proposal, dict) or not isinstance(proposal.get("id"), str):
        return "proposal.id must be a text"
    if not isinstance(result.get("verdict"), str):
        return "verdict must be a text"
    findings = result.get("findings")
    if not isinstance(findings, list):
        return "findings must be a list"
    for finding in findings:
        if not isinstance(finding, dict) or not all(
            isinstance(finding.get(key), str) for key in ("rule_id", "status")
        ):
            return "each finding needs rule_id and status as texts"
        needs_severity = finding["status"] not in ("pass", "not-applicable")
        if needs_severity and not isinstance(finding.get("severity"), str):
            return f"finding {clip(finding['rule_id'], 60)} needs its severity as a text"
    return None


def _states(result: dict) -> dict[str, str]:
    return {
        f["rule_id"]: f["status"] + (f" ({f['severity']})" if f["status"] != "pass" else "")
        for f in result["findings"]
        if f["status"] != "not-applicable"
    }


def compare_runs(old: dict[str, dict], new: dict[str, dict]) -> dict:
    changed = []
    for pid in sorted(set(old) & set(new)):
        before, after = _states(old[pid]), _states(new[pid])
        rules = [
            (rule, before.get(rule, "absent"), after.get(rule, "absent"))
            for rule in sorted(set(before) | set(after))
            if before.get(rule) != after.get(rule)
        ]
        if rules or old[pid]["verdict"] != new[pid]["verdict"]:
            changed.append(
                {"id": pid, "old": old[pid]["verdict"], "new": new[pid]["verdict"], "rules": rules}
            )
    return {
        "added": [(pid, new[pid]["verdict"]) for pid in sorted(set(new) - set(old))],
        "removed": [(pid, old[pid]["verdict"]) for pid in sorted(set(old) - set(new))],
        "changed": changed,
    }


def describe_runs(diff: dict) -> str:
    lines = [f"added: {pid} ({verdict})" for pid, verdict in diff["added"]]
    lines += [f"removed: {pid} ({verdict})" for pid, verdict in diff["removed"]]
    for change in diff["changed"]:
        verdict = (
            change["old"]
            if change["old"] == change["new"]
            else (f"{change['old']} -> {change['new']}")
        )
        lines.append(f"changed: {change['id']}: verdict {verdict}")
        lines += [f"  {rule}: {a} -> {b}" for rule, a, b in change["rules"]]
    counts = {key: len(value) for key, value in diff.items()}
    lines.append("{added} added, {removed} removed, {changed} changed".format(**counts))
    return "\n".join(lines) + "\n"
