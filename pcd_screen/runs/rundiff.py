"""Two portfolio runs compared (their results.jsonl): proposals added, removed, and changed."""

from __future__ import annotations

import json
from pathlib import Path


def read_run(folder) -> dict[str, dict]:
    """proposal id -> result, from a batch output folder (or a results.jsonl file)."""
    path = Path(folder)
    if path.is_dir():
        path = path / "results.jsonl"
    results = {}
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if line.strip():
                try:
                    result = json.loads(line)
                except ValueError as exc:
                    raise ValueError(f"{path}:{number}: not a JSON result: {exc}") from None
                results[result["proposal"]["id"]] = result
    return results


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
