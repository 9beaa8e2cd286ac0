import shutil
from datetime import date

from conftest import EXAMPLES
from pcd_screen.core.paths import RULES_DIR
from pcd_screen.engine.refdata import load_refdata
from pcd_screen.engine.ruleset import load_ruleset
from pcd_screen.engine.session import Session
from pcd_screen.inputs.proposal import load_proposal
from pcd_screen.runs.rulesdiff import compare, describe

AS_OF = date(2026, 11, 23)


def test_a_severity_change_shows_on_the_proposals_it_touches(tmp_path):
    old, new = tmp_path / "old", tmp_path / "new"
    shutil.copytree(RULES_DIR, old)
    shutil.copytree(RULES_DIR, new)
    path = new / "no-conditionality.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("severity: high", "severity: critical", 1), encoding="utf-8")
    proposals = [load_proposal(p) for p in sorted(EXAMPLES.glob("*.yaml"))]
    changes = compare(
        proposals,
        Session(load_ruleset([old], validate=True, builtin=False), load_refdata(), AS_OF),
        Session(load_ruleset([new], validate=True, builtin=False), load_refdata(), AS_OF),
    )
    assert changes, "NOC-002 turned critical must change something"
    assert all(c.changed or c.old_verdict != c.new_verdict for c in changes)
    assert describe(changes, len(proposals)).endswith(
        f"{len(changes)} of {len(proposals)} proposals change\n"
    )


def test_identical_rules_change_nothing():
    proposals = [load_proposal(p) for p in sorted(EXAMPLES.glob("*.yaml"))]
    ruleset = load_ruleset()
    session = Session(ruleset, load_refdata(), AS_OF)
    assert compare(proposals, session, session) == []
