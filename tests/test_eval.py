"""The evaluation (eval/run.py, `make eval`) stays at or above the figures in eval/README.md:
metrics are computed, never timed. The IATI and EUTF parts need the real data in
/work/shared/data/ and are skipped without it; the prose part always runs."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "eval"))
import run as evaluation  # noqa: E402  (eval/run.py)

# The figures reported in eval/README.md: a change may raise them, never lower them.
# "-b1" is batch 1 (180 activities), "-new" batches 2 and 3 (154, labelled later), "-b4" batch 4
# (102, labelled 2026-12-07); dev and
# heldout without a suffix are over every batch. heldout-new is the figure no tuning has seen.
IATI_FLOORS = {
    # dev recall 0.7838 -> 0.7568 (2026-12-07): COVID-19 work at points of entry (infection
    # control, risk communication, handwashing) is public health, as DP.2291 is labelled; the
    # labels split on it, and PX.0129 counts it as border control (eval/README, prose19 section).
    "dev": {"scope_accuracy": 0.9333, "control_precision": 0.9677, "control_recall": 0.8108},
    "dev-b1": {"scope_accuracy": 0.9576, "control_precision": 1.0, "control_recall": 1.0},
    "dev-new": {"scope_accuracy": 0.9065, "control_precision": 0.9524, "control_recall": 0.7407},
    "heldout-b1": {"scope_accuracy": 0.9839, "control_precision": 1.0, "control_recall": 0.6},
    "heldout-new": {
        "scope_accuracy": 0.9787,
        "control_precision": 1.0,
        "control_recall": 0.6667,
    },
    # Batch 4 (102, labelled 2026-12-07): one control pair in all, held out (no recall floor).
    "dev-b4": {"scope_accuracy": 0.96},
    "heldout-b4": {"scope_accuracy": 1.0},
}
# Batches 4 (150), 5 (93) and 6 (90 contract rows) of EU Trust Fund for Africa summaries
# (eval/eutf/); heldout is by decision. heldout-b5 and batch 6 are figures no tuning has seen
# (batch 6 has no held-out control pair: precision and recall are None there).
EUTF_FLOORS = {
    "dev-b4": {"scope_accuracy": 0.9495, "control_precision": 0.9, "control_recall": 0.8571},
    "heldout-b4": {"scope_accuracy": 0.8627, "control_precision": 0.75, "control_recall": 0.4286},
    "dev-b5": {"scope_accuracy": 0.9811, "control_precision": 0.9, "control_recall": 0.8182},
    "heldout-b5": {"scope_accuracy": 0.85, "control_precision": 0.5556, "control_recall": 0.5556},
    "dev-b6": {"scope_accuracy": 0.9444, "control_precision": 1.0, "control_recall": 0.6667},
    "heldout-b6": {"scope_accuracy": 0.8333},
}
EUTF_ROWS = {
    "dev-b4": 99,
    "heldout-b4": 51,
    "dev-b5": 53,
    "heldout-b5": 40,
    "dev-b6": 54,
    "heldout-b6": 36,
}
BENIGN_AT_REVISE_OR_BLOCK = {
    "dev": 0,
    "dev-b1": 0,
    "dev-new": 0,
    "heldout-b1": 0,
    "heldout-new": 0,
    "dev-b4": 0,
    "heldout-b4": 0,
}


@pytest.fixture(scope="module")
def iati():
    if not evaluation.DATA_DIR.exists():
        pytest.skip(f"{evaluation.DATA_DIR} not available")
    return evaluation.iati_metrics(evaluation.iati_results())


@pytest.mark.parametrize("split", sorted(IATI_FLOORS))
def test_iati_figures_hold(iati, split):
    figures = iati[split]
    assert figures["imported"] == figures["activities"]
    for name, floor in IATI_FLOORS[split].items():
        assert figures[name] >= floor, (split, name, figures[name])
    assert len(figures["benign_at_revise_or_block"]) <= BENIGN_AT_REVISE_OR_BLOCK[split]


@pytest.fixture(scope="module")
def eutf():
    if not evaluation.EUTF_CSV.exists():
        pytest.skip(f"{evaluation.EUTF_CSV} not available")
    return evaluation.iati_metrics(evaluation.eutf_results(), evaluation.EUTF_GROUPS)


@pytest.mark.parametrize("split", sorted(EUTF_FLOORS))
def test_eutf_figures_hold(eutf, split):
    figures = eutf[split]
    assert figures["imported"] == figures["activities"] == EUTF_ROWS[split]
    for name, floor in EUTF_FLOORS[split].items():
        assert figures[name] >= floor, (split, name, figures[name])
    assert figures["benign_at_revise_or_block"] == []


# The primary activity category the importers code (eval/categories/): share of rows coded and
# share agreeing with the readers' primary or accepted category, per source and split.
CATEGORY_FLOORS = {
    "dev-eutf": {"n": 152, "coded": 0.941, "agree": 0.75},
    "heldout-eutf": {"n": 91, "coded": 0.912, "agree": 0.714},
    "dev-iati": {"n": 83, "coded": 0.904, "agree": 0.843},
    "heldout-iati": {"n": 37, "coded": 0.892, "agree": 0.757},
}


@pytest.fixture(scope="module")
def categories():
    if not (evaluation.DATA_DIR.exists() and evaluation.EUTF_CSV.exists()):
        pytest.skip("the real IATI and EUTF data are not available")
    return evaluation.category_metrics(evaluation.inferred_categories())


@pytest.mark.parametrize("group", sorted(CATEGORY_FLOORS))
def test_category_figures_hold(categories, group):
    figures = categories[group]
    assert figures["n"] == CATEGORY_FLOORS[group]["n"]
    for name in ("coded", "agree"):
        assert figures[name] >= CATEGORY_FLOORS[group][name], (group, name, figures[name])


def test_every_prose_case_holds():
    pairs = evaluation.prose_results()
    assert pairs is not None and len(pairs) == 27
    figures = evaluation.prose_metrics(pairs)
    assert figures["all"]["failing"] == []
    assert figures["dev"]["scope_accuracy"] >= 0.9444
    assert figures["heldout"]["scope_accuracy"] >= 1.0


# Proposals written by writers who had not seen the text layer (eval/prose2-4/README.md): per
# split, (cases that hold at least, cases, scope accuracy at least). Each held-out split was
# measured once, at the end of the round that tuned on the dev cases; prose2 and prose3 have
# since been tuned on (spent), prose4's held-out split has not.
PROSE_FLOORS = {
    "prose2": {"dev": (15, 16, 1.0), "heldout": (6, 8, 1.0)},
    "prose3": {"dev": (25, 27, 0.9259), "heldout": (8, 9, 1.0)},
    "prose4": {"dev": (16, 17, 1.0), "heldout": (6, 7, 1.0)},
    "prose5": {"dev": (13, 13, 1.0), "heldout": (11, 11, 0.9090)},
    "prose6": {"dev": (18, 18, 1.0), "heldout": (6, 6, 1.0)},
    "prose7": {"dev": (15, 15, 1.0), "heldout": (8, 9, 1.0)},
    "prose8": {"dev": (15, 15, 1.0), "heldout": (8, 9, 1.0)},
    "prose9": {"dev": (16, 16, 0.9375), "heldout": (8, 8, 1.0)},
    "prose10": {"dev": (15, 16, 0.9375), "heldout": (8, 8, 1.0)},
    "prose11": {"dev": (17, 17, 0.9411), "heldout": (7, 7, 1.0)},
    "prose12": {"dev": (18, 18, 1.0), "heldout": (5, 6, 1.0)},
    "prose13": {"dev": (15, 15, 1.0), "heldout": (9, 9, 1.0)},
    "prose14": {"dev": (15, 15, 1.0), "heldout": (8, 9, 1.0)},
    "prose15": {"dev": (17, 17, 1.0), "heldout": (7, 7, 1.0)},
    "prose16": {"dev": (16, 17, 1.0), "heldout": (6, 7, 1.0)},
    "prose17": {"dev": (16, 16, 1.0), "heldout": (8, 8, 1.0)},
    "prose18": {"dev": (14, 14, 1.0), "heldout": (10, 10, 1.0)},
    "prose19": {"dev": (10, 10, 1.0), "heldout": (14, 14, 1.0)},
    "prose20": {"dev": (19, 20, 1.0), "heldout": (3, 4, 1.0)},
    "prose21": {"dev": (18, 18, 0.9444), "heldout": (6, 6, 1.0)},
    "prose22": {"dev": (16, 16, 1.0), "heldout": (8, 8, 1.0)},
    "prose23": {"dev": (16, 18, 1.0), "heldout": (5, 6, 1.0)},
    "prose24": {"dev": (11, 16, 1.0), "heldout": (8, 8, 1.0)},
    "prose25": {"dev": (10, 18, 1.0), "heldout": (5, 6, 0.8333)},
    "prose26": {"dev": (11, 20, 0.95), "heldout": (2, 4, 1.0)},
    "prose27": {"dev": (11, 14, 1.0), "heldout": (8, 10, 0.9)},
    "prose28": {"dev": (15, 18, 1.0), "heldout": (5, 6, 0.8333)},
    "prose29": {"dev": (14, 17, 1.0), "heldout": (7, 7, 1.0)},
    "prose30": {"dev": (14, 19, 1.0), "heldout": (4, 5, 1.0)},
    "prose31": {"dev": (10, 15, 1.0), "heldout": (6, 9, 1.0)},
    "prose32": {"dev": (12, 17, 0.9412), "heldout": (5, 7, 1.0)},
    "prose33": {"dev": (9, 14, 1.0), "heldout": (10, 10, 1.0)},  # 8 of 10 measured clean
    "prose34": {"dev": (13, 16, 1.0), "heldout": (6, 8, 1.0)},  # 5 of 8 measured clean
    "prose35": {"dev": (11, 15, 1.0), "heldout": (5, 9, 1.0)},  # 3 of 9 measured clean
    "prose36": {"dev": (15, 17, 1.0), "heldout": (6, 7, 1.0)},  # 4 of 7 measured clean
    "prose37": {"dev": (12, 15, 1.0), "heldout": (6, 9, 1.0)},  # 4 of 9 measured clean
    "prose38": {"dev": (12, 17, 0.9412), "heldout": (6, 7, 1.0)},  # 4 of 7 measured clean
    "prose39": {"dev": (12, 16, 1.0), "heldout": (6, 8, 1.0)},  # 4 of 8 measured clean
    "prose40": {"dev": (17, 19, 1.0), "heldout": (5, 5, 1.0)},  # 3 of 5 measured clean
    "prose41": {"dev": (14, 17, 1.0), "heldout": (3, 7, 1.0)},  # 1 of 7 measured clean
    "prose42": {"dev": (14, 16, 0.9375), "heldout": (5, 8, 1.0)},  # 3 of 8 measured clean
    "prose43": {"dev": (13, 14, 0.9286), "heldout": (8, 10, 1.0)},  # 4 of 10 measured clean
    "prose44": {"dev": (16, 22, 1.0), "heldout": (2, 2, 1.0)},
    "prose45": {"dev": (10, 15, 1.0), "heldout": (9, 9, 0.8889)},  # 7 of 9 measured clean
    "prose46": {"dev": (12, 16, 0.9375), "heldout": (8, 8, 1.0)},  # 7 of 8 measured clean
    "prose47": {"dev": (11, 15, 1.0), "heldout": (7, 9, 1.0)},  # 5 of 9 measured clean
    "prose48": {"dev": (14, 17, 0.9412), "heldout": (7, 7, 0.8571)},  # 6 of 7 measured clean
    "prose49": {"dev": (13, 14, 1.0), "heldout": (8, 10, 1.0)},  # 7 of 10 measured clean
    "prose50": {"dev": (13, 15, 1.0), "heldout": (3, 9, 1.0)},
    "prose51": {"dev": (10, 14, 1.0), "heldout": (6, 10, 0.9)},  # 6 of 10 measured clean
    "prose52": {"dev": (9, 15, 1.0), "heldout": (6, 9, 0.7778)},
    "prose53": {"dev": (18, 20, 1.0), "heldout": (3, 4, 1.0)},  # 2 of 4 measured clean
    "prose54": {"dev": (10, 15, 1.0), "heldout": (6, 9, 1.0)},  # 4 of 9 measured clean
    "prose55": {"dev": (11, 13, 0.9231), "heldout": (8, 11, 1.0)},  # 7 of 11 measured clean
}


@pytest.mark.parametrize("name", sorted(PROSE_FLOORS))
def test_independent_prose_cases_hold_at_least_as_reported(name):
    pairs = evaluation.prose_results(name)
    assert pairs is not None
    figures = evaluation.prose_metrics(pairs)
    for split, (hold, cases, scope) in PROSE_FLOORS[name].items():
        assert figures[split]["cases"] == cases, (name, split)
        assert figures[split]["hold"] >= hold, (name, split)  # never lists held-out cases
        assert figures[split]["scope_accuracy"] >= scope, (name, split)
