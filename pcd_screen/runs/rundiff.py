"""Two portfolio runs compared (their results.jsonl): proposals added, removed, and changed."""

from __future__ import annotations

import json
import os
from pathlib import Path

from pcd_screen.core.located import clip
from pcd_screen.core.yamlread import open_input
from pcd_screen.reports.common import log_safe, printable

# A run's results.jsonl is read line by line, within limits: a run of 10,000 proposals with
# documents (IATI, full detail) takes about 100 MB, one result rarely 100 KB. A file of 1.5 GB
# of NUL bytes, read whole, took 3 GB of memory before it was refused.
MAX_RUN_BYTES = 1024 * 1024 * 1024
MAX_LINE_BYTES = 64 * 1024 * 1024


def read_run(
    folder, max_bytes: int | None = None, notes: list | None = None, follow_links: bool = True
) -> dict[str, dict]:
    """proposal id -> result, from a batch output folder (or a results.jsonl file).

    A run folder is input like any other (it may be hand-made or edited): every line must be a
    result of the published shape, no longer than MAX_LINE_BYTES, in a file of at most
    max_bytes (default MAX_RUN_BYTES), or ValueError names the file and line. Only what the
    comparison needs is kept. An id used again (batch screens repeated ids, and a hand-made
    file may repeat one) is kept as `ID (#2)`, said in notes as FILE:LINE. follow_links=False:
    a file in a run folder the tool writes into (review --run), which no link may redirect."""
    path = Path(folder)
    if path.is_dir():
        path = path / "results.jsonl"
    max_bytes = max_bytes or MAX_RUN_BYTES
    results: dict[str, dict] = {}
    first_line: dict[str, int] = {}
    try:
        handle = open_input(path, follow_links)
    except OSError as exc:
        raise ValueError(f"{path}: cannot read: {exc.strerror}") from None
    with handle:
        if os.fstat(handle.fileno()).st_size > max_bytes:
            raise ValueError(_too_large(path, max_bytes))
        total, number = 0, 0
        while raw := handle.readline(MAX_LINE_BYTES + 1):
            number += 1
            total += len(raw)
            where = f"{path}:{number}"
            if total > max_bytes:  # the file grew while it was read
                raise ValueError(_too_large(path, max_bytes))
            if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
                message = f"a line longer than {MAX_LINE_BYTES} bytes: not a pcd-screen result"
                raise ValueError(f"{where}: {message}")
            if not raw.strip():
                continue
            try:
                result = json.loads(raw.decode("utf-8"))
            except (UnicodeDecodeError, ValueError, RecursionError) as exc:
                problem = "nested too deeply" if isinstance(exc, RecursionError) else exc
                raise ValueError(f"{where}: not a JSON result: {clip(str(problem), 200)}") from None
            problem = _shape_problem(result)
            if problem:
                raise ValueError(f"{where}: not a pcd-screen result: {problem}")
            key = pid = result["proposal"]["id"]
            repeat = 1
            while key in results:
                repeat += 1
                key = f"{pid} (#{repeat})"
            if repeat > 1 and notes is not None:
                shown = clip(printable(pid), 60)
                notes.append(
                    f"{where}: proposal id {shown!r} is used again (first on line "
                    f"{first_line[pid]}); compared as {clip(printable(key), 80)!r}"
                )
            first_line.setdefault(pid, number)
            results[key] = _kept(result)
    return results


def _too_large(path, max_bytes: int) -> str:
    return (
        f"{path}: larger than the limit of {max_bytes} bytes for a run's results "
        "(raise it with --max-file-size)"
    )


def _kept(result: dict) -> dict:
    """The part of a result that compare_runs reads (a full result holds quotes and texts)."""
    return {
        "proposal": {"id": result["proposal"]["id"]},
        "verdict": result["verdict"],
        "findings": [
            {key: f[key] for key in ("rule_id", "status", "severity") if key in f}
            for f in result["findings"]
        ],
    }


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
    """The comparison as lines for a terminal or a CI log. Ids, verdicts and rule states come
    from run folders anybody may have written: each is shown on one line with its control
    characters visible and cut short, and no line can be read as a workflow command."""

    def shown(value: str) -> str:
        return clip(printable(value), 200)

    lines = [f"added: {shown(pid)} ({shown(verdict)})" for pid, verdict in diff["added"]]
    lines += [f"removed: {shown(pid)} ({shown(verdict)})" for pid, verdict in diff["removed"]]
    for change in diff["changed"]:
        old, new = shown(change["old"]), shown(change["new"])
        verdict = old if change["old"] == change["new"] else f"{old} -> {new}"
        lines.append(f"changed: {shown(change['id'])}: verdict {verdict}")
        lines += [f"  {shown(rule)}: {shown(a)} -> {shown(b)}" for rule, a, b in change["rules"]]
    counts = {key: len(value) for key, value in diff.items()}
    lines.append("{added} added, {removed} removed, {changed} changed".format(**counts))
    return log_safe("\n".join(lines) + "\n")
