"""Measure pcd-screen on the labelled evaluation sets (see eval/README.md).

Usage: python eval/run.py [--data DIR] [--json] [--errors] [--dev]      (`make eval`)

iati/labels.yaml   436 real IATI activities in four batches (180 + 120 + 34 + 102): scope
                   (migration_related), the migration-control categories the activity funds,
                   split dev/heldout. Figures are given per split over all batches, and per
                   split for batch 1 (`-b1`) and for the later batches 2 and 3 (`-new`); the
                   `heldout-new` figure is the one no tuning has looked at.
eutf/labels.yaml   333 EU Trust Fund for Africa contract and decision summaries (batch 4,
                   150, eutf/select.py; batch 5, 93, eutf/select5.py; batch 6, 90 contract
                   rows with summaries of their own, eutf/select6.py), imported from the
                   newsroom's spreadsheet as a watchdog would (`pcd-screen batch` with the
                   suggested column mapping), same fields and splits; per batch as `-b4`,
                   `-b5` and `-b6`.
categories/labels.yaml
                   the primary activity category of 243 EUTF rows (batches 4-5) and 120 IATI
                   activities (batch 2), as the portfolio's category table codes them: `coded`
                   (share given a category), `agree` (the category is the readers' primary or
                   one they accept), `strict` (their primary), per source and split.
prose/             proposals whose decisive risk is stated in prose only, with expected
                   verdicts and principles in prose/expected.yaml (when present).
prose2/            the same, written by writers who had not seen the text layer (README).
prose3/            a third such set, by three new writers (README).
prose4/            a fourth, by two more writers, for the round after prose3 (README).
prose5/ ...        a fifth and later sets, by two new writers each (README); every
                   eval/prose<N>/ with an expected.yaml is read.

--dev prints the development splits only (no held-out or overall figures), for tuning.

Figures are computed, never timed; tests/test_eval.py keeps them at or above the figures
reported in eval/README.md.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402

from pcd_screen.engine.evaluate import evaluate  # noqa: E402
from pcd_screen.engine.facts import COERCIVE  # noqa: E402
from pcd_screen.engine.refdata import load_refdata  # noqa: E402
from pcd_screen.engine.ruleset import load_ruleset  # noqa: E402
from pcd_screen.inputs.csvtable import read_csv  # noqa: E402
from pcd_screen.inputs.iati import ImportedActivity, iter_activities  # noqa: E402
from pcd_screen.inputs.proposal import load_proposal, proposal_from_data  # noqa: E402

DATA_DIR = Path("/work/shared/data/iati-real")
EUTF_CSV = Path("/work/shared/data/eutf-csv/EUTF_projects_akvo.csv")
EVAL = ROOT / "eval"
AS_OF = date(2026, 11, 23)
CONTROL = frozenset(COERCIVE)  # the ten migration-control categories of the guideline
SPLITS = ("dev", "heldout")
# Groups of labelled activities reported: a split over every batch, then batch 1 alone and
# the later batches (2 and 3, labelled after batch 1's held-out errors had been read), then
# batch 4 (labelled 2026-12-07, after every earlier held-out error had been read).
GROUPS = {
    "dev": lambda e: e["split"] == "dev",
    "heldout": lambda e: e["split"] == "heldout",
    "all": lambda e: True,
    "dev-b1": lambda e: e["split"] == "dev" and e.get("batch", 1) == 1,
    "heldout-b1": lambda e: e["split"] == "heldout" and e.get("batch", 1) == 1,
    "dev-new": lambda e: e["split"] == "dev" and e.get("batch", 1) in (2, 3),
    "heldout-new": lambda e: e["split"] == "heldout" and e.get("batch", 1) in (2, 3),
    "dev-b4": lambda e: e["split"] == "dev" and e.get("batch", 1) == 4,
    "heldout-b4": lambda e: e["split"] == "heldout" and e.get("batch", 1) == 4,
}


def screen_all(items):
    ruleset, refdata = load_ruleset(), load_refdata()
    return [(key, evaluate(proposal, ruleset, refdata, AS_OF)) for key, proposal in items]


def iati_results(data_dir: Path = DATA_DIR):
    labels = yaml.safe_load((EVAL / "iati" / "labels.yaml").read_text(encoding="utf-8"))
    wanted = {(entry["file"], entry["id"]) for entry in labels}
    items = []
    for name in sorted({file for file, _id in wanted}):
        for record in iter_activities(data_dir / name):
            if isinstance(record, ImportedActivity) and (name, record.identifier) in wanted:
                proposal = proposal_from_data(record.proposal, name=f"{name}#{record.index}")
                items.append(((name, record.identifier), proposal))
    results = dict(screen_all(items))
    return [(entry, results.get((entry["file"], entry["id"]))) for entry in labels]


def eutf_results(path: Path = EUTF_CSV):
    """The labelled EUTF rows, imported as `batch` imports the sheet (amounts in euros)."""
    labels = yaml.safe_load((EVAL / "eutf" / "labels.yaml").read_text(encoding="utf-8"))
    wanted = {entry["id"] for entry in labels}
    items = []
    for record in read_csv(path, display_name=path.name, constants={"currency": "EUR"}):
        if isinstance(record, dict) and record["id"] in wanted:
            items.append((record["id"], proposal_from_data(record, name=path.name)))
    results = dict(screen_all(items))
    return [(entry, results.get(entry["id"])) for entry in labels]


def inferred_categories(data_dir: Path = DATA_DIR, path: Path = EUTF_CSV):
    """The labelled rows of categories/labels.yaml with the category the importers coded for
    their one activity (None when nothing coded it), without screening."""
    labels = yaml.safe_load((EVAL / "categories" / "labels.yaml").read_text(encoding="utf-8"))
    coded: dict = {}
    if path.exists():
        for record in read_csv(path, display_name=path.name, constants={"currency": "EUR"}):
            if isinstance(record, dict):
                coded[("eutf", record["id"])] = _category(record)
    for name in sorted({e["file"] for e in labels if e["source"] == "iati"}):
        if (data_dir / name).exists():
            for record in iter_activities(data_dir / name):
                if isinstance(record, ImportedActivity):
                    coded[("iati", record.identifier)] = _category(record.proposal)
    return [(e, coded.get((e["source"], e["id"]), "missing")) for e in labels]


def _category(proposal: dict):
    activities = proposal.get("activities") or [{}]
    return activities[0].get("category")


def category_metrics(pairs) -> dict:
    out = {}
    for source in ("eutf", "iati"):
        for split in (*SPLITS, "all"):
            chosen = [
                (e, c)
                for e, c in pairs
                if e["source"] == source and split in ("all", e["split"]) and c != "missing"
            ]
            if not chosen:
                continue
            n = len(chosen)
            coded = sum(c is not None for _e, c in chosen)
            agree = sum(c in (e["primary"], *e["acceptable"]) for e, c in chosen)
            strict = sum(c == e["primary"] for e, c in chosen)
            out[f"{split}-{source}"] = {
                "n": n,
                "coded": round(coded / n, 3),
                "agree": round(agree / n, 3),
                "agree_when_coded": round(agree / coded, 3) if coded else None,
                "strict": round(strict / n, 3),
            }
    return out


def inferred_category_errors(pairs, split="dev"):
    return [
        {
            "id": e["id"],
            "source": e["source"],
            "got": c,
            "primary": e["primary"],
            "acceptable": e["acceptable"],
        }
        for e, c in pairs
        if e["split"] == split and c != "missing" and c not in (e["primary"], *e["acceptable"])
    ]


def predicted_scope(result):
    value = result.facts.get("migration_related")
    return "unknown" if value is None else value


def control_of(result) -> set[str]:
    return set(result.facts.get("categories") or []) & CONTROL


# The EUTF batches: 4 (tuned on its dev split, held-out measured once), 5 and 6 (labelled after).
EUTF_GROUPS = {
    "dev": lambda e: e["split"] == "dev",
    "heldout": lambda e: e["split"] == "heldout",
    "all": lambda e: True,
    "dev-b4": lambda e: e["split"] == "dev" and e["batch"] == 4,
    "heldout-b4": lambda e: e["split"] == "heldout" and e["batch"] == 4,
    "dev-b5": lambda e: e["split"] == "dev" and e["batch"] == 5,
    "heldout-b5": lambda e: e["split"] == "heldout" and e["batch"] == 5,
    "dev-b6": lambda e: e["split"] == "dev" and e["batch"] == 6,
    "heldout-b6": lambda e: e["split"] == "heldout" and e["batch"] == 6,
}


def iati_metrics(pairs, groups=GROUPS) -> dict:
    out = {}
    for split, member in groups.items():
        chosen = [(e, r) for e, r in pairs if member(e)]
        scope_ok = sum(
            1 for e, r in chosen if r is not None and predicted_scope(r) == e["migration_related"]
        )
        # Beside it, on the labels their readers were sure of (confidence high): the scope of a
        # "root causes" framing or a passing mention is a judgement readers split on.
        sure = [(e, r) for e, r in chosen if e.get("confidence") == "high"]
        sure_ok = sum(
            1 for e, r in sure if r is not None and predicted_scope(r) == e["migration_related"]
        )
        tp = fp = fn = 0
        benign_blocked = []
        for entry, result in chosen:
            truth = set(entry["control_categories"]) & CONTROL
            found = control_of(result) if result is not None else set()
            tp += len(truth & found)
            fp += len(found - truth)
            fn += len(truth - found)
            if result is not None and not truth and found and result.verdict in ("revise", "block"):
                benign_blocked.append(entry["id"])
        out[split] = {
            "activities": len(chosen),
            "imported": sum(1 for _e, r in chosen if r is not None),
            "scope_accuracy": round(scope_ok / len(chosen), 4) if chosen else None,
            "scope_accuracy_high_confidence": round(sure_ok / len(sure), 4) if sure else None,
            "high_confidence": len(sure),
            "control_precision": round(tp / (tp + fp), 4) if tp + fp else None,
            "control_recall": round(tp / (tp + fn), 4) if tp + fn else None,
            "control_tp_fp_fn": [tp, fp, fn],
            "benign_at_revise_or_block": benign_blocked,
            "verdicts": {
                v: sum(1 for _e, r in chosen if r is not None and r.verdict == v)
                for v in ("block", "revise", "clarify", "clear")
            },
        }
    return out


def scope_errors(pairs, split="dev"):
    return [
        (e["id"], e["migration_related"], predicted_scope(r), (r.facts.get("migration_reasons")))
        for e, r in pairs
        if r is not None and e["split"] == split and predicted_scope(r) != e["migration_related"]
    ]


def category_errors(pairs, split="dev"):
    out = []
    for e, r in pairs:
        if r is None or e["split"] != split:
            continue
        truth, found = set(e["control_categories"]) & CONTROL, control_of(r)
        if truth != found:
            out.append((e["id"], sorted(truth), sorted(found)))
    return out


def prose_sets() -> list[str]:
    """The prose sets in eval/ (prose, prose2, prose3, ...), in the order they were written."""
    names = [p.name for p in EVAL.glob("prose*") if p.is_dir() and p.name[5:].isdigit()]
    return ["prose", *sorted(names, key=lambda name: int(name[5:]))]


def prose_results(name: str = "prose"):
    folder = EVAL / name
    expected_file = folder / "expected.yaml"
    if not expected_file.exists():
        return None
    cases = yaml.safe_load(expected_file.read_text(encoding="utf-8"))
    items = []
    for case in cases:
        path = folder / case["file"]
        items.append((case["file"], load_proposal(path)))  # read as `screen` reads it
    results = dict(screen_all(items))
    return [(case, results[case["file"]]) for case in cases]


VERDICT_RANK = {"clear": 0, "clarify": 1, "revise": 2, "block": 3}


def prose_metrics(pairs) -> dict:
    out = {}
    for split in (*SPLITS, "all"):
        chosen = [(c, r) for c, r in pairs if split in ("all", c["split"])]
        failing = []
        scope_ok = 0
        for case, result in chosen:
            ok, why = prose_case_holds(case, result)
            if not ok:
                failing.append(f"{case['file']}: {why}")
            scope_ok += result.facts.get("migration_related") == case["migration_related"]
        out[split] = {
            "cases": len(chosen),
            "hold": len(chosen) - len(failing),
            "scope_accuracy": round(scope_ok / len(chosen), 4) if chosen else None,
            "failing": failing,
        }
    return out


def prose_case_holds(case, result) -> tuple[bool, str]:
    """Risk cases: the verdict reaches verdict_at_least and the principles are flagged.
    Benign cases: the verdict is no worse than expected, no listed category is inferred and
    no listed principle is flagged."""
    got = VERDICT_RANK[result.verdict]
    least = case.get("verdict_at_least")
    if least is not None and got < VERDICT_RANK[least]:
        return False, f"verdict {result.verdict}, expected at least {least}"
    if least is None and got > VERDICT_RANK[case["verdict"]]:
        return False, f"verdict {result.verdict}, expected {case['verdict']}"
    flagged = {f.principle for f in result.findings if f.kind == "concern" and f.status == "flag"}
    for principle in case.get("must_flag_principles") or []:
        if principle not in flagged:
            return False, f"{principle} not flagged"
    any_of = case.get("must_flag_any_of")
    if any_of and not flagged & set(any_of):
        return False, f"none of {', '.join(any_of)} flagged"
    for principle in case.get("must_not_flag_principles") or []:
        if principle in flagged:
            return False, f"{principle} flagged"
    wrong = set(case.get("must_not_flag_categories") or []) & set(
        result.facts.get("categories") or []
    )
    if wrong:
        return False, f"categories inferred: {', '.join(sorted(wrong))}"
    return True, ""


def main(argv: list[str]) -> int:
    data_dir = Path(argv[argv.index("--data") + 1]) if "--data" in argv else DATA_DIR
    report: dict = {}
    if data_dir.exists():
        pairs = iati_results(data_dir)
        report["iati"] = iati_metrics(pairs)
        if "--errors" in argv:
            report["iati_scope_errors_dev"] = scope_errors(pairs)
            report["iati_category_errors_dev"] = category_errors(pairs)
    if EUTF_CSV.exists() and (EVAL / "eutf" / "labels.yaml").exists():
        pairs = eutf_results()
        report["eutf"] = iati_metrics(pairs, EUTF_GROUPS)
        if "--errors" in argv:
            report["eutf_scope_errors_dev"] = scope_errors(pairs)
            report["eutf_category_errors_dev"] = category_errors(pairs)
    if (EVAL / "categories" / "labels.yaml").exists():
        pairs = inferred_categories(data_dir)
        report["categories"] = category_metrics(pairs)
        if "--errors" in argv or "--category-errors" in argv:
            report["category_errors_dev"] = inferred_category_errors(pairs)
        if "--category-errors" in argv:
            print(json.dumps(report["category_errors_dev"], indent=1, ensure_ascii=False))
            return 0
    for name in prose_sets():
        prose = prose_results(name)
        if prose is not None:
            report[name] = prose_metrics(prose)
    if "--dev" in argv:  # tuning looks at development figures only
        report = {
            name: {split: v for split, v in figures.items() if split.startswith("dev")}
            if isinstance(figures, dict)
            else figures
            for name, figures in report.items()
        }
    if "--json" in argv or "--errors" in argv:
        print(json.dumps(report, indent=2, ensure_ascii=False, default=str))
        return 0
    for name, figures in report.items():
        print(f"== {name}")
        for split, values in figures.items():
            print(f"  {split}: " + ", ".join(f"{k} {v}" for k, v in values.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
