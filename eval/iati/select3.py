#!/usr/bin/env python3
"""Reproduce the selection and dev/heldout split of batch 3 of the labelled IATI set.

Stdlib only. Batch 2's broad word list drew mostly humanitarian activities (8 of its 120
activities fund a control category), so batch 3 takes the remaining activities that match
a NARROW list of control phrases. The rule was fixed before any batch-3 activity was read:

1. Universe: every activity of dev-migration.xml and dev-other.xml selected neither by
   batch 1 (select.py) nor by batch 2 (select2.py).
2. Text: all <narrative> texts of the activity, joined (as in select2.py).
3. Candidate: the text matches NARROW_RE (case-insensitive), declared below.
4. Candidates are sorted by sha1(identifier) hex digest and the first N taken (all of them
   when there are fewer).
5. split = heldout when int(sha1hex, 16) % 3 == 0, else dev (the batch-1 rule).

Usage: python3 eval/iati/select3.py [DATA_DIR]
Prints one line per selected activity: file, split, sha1, identifier, stratum.
"""

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import select as sel  # noqa: E402  (eval/iati/select.py)

import select2 as sel2  # noqa: E402

N = 40

PHRASES = [
    # en
    r"border (?:management|control|police|guard|agenc|post|security|official|crossing point)",
    r"integrated border",
    r"points? of entry",
    r"coast ?guard",
    r"detention (?:cent|facilit)",
    r"readmission",
    r"deport",
    r"forced return",
    r"smuggling of migrants|migrant smuggling|smugglers",
    r"law enforcement",
    r"\bpolice",
    r"gendarm",
    r"security forces",
    r"armed forces",
    r"\bmilitary",
    r"biometric",
    r"laissez[- ]passer",
    r"irregular migration",
    r"immigration (?:service|officer|department|authorit)",
    # fr
    r"gestion (?:des|de la) fronti[eè]res?",
    r"contr[oô]le (?:aux|des) fronti[eè]res",
    r"garde[- ]c[oô]tes",
    r"centres? de r[ée]tention",
    r"r[ée]admission",
    r"forces de (?:l'ordre|s[ée]curit[ée]|d[ée]fense)",
    r"passeurs",
    r"migration irr[ée]guli[eè]re",
    # nl
    r"grensbeheer|grensbewaking|grenscontrole|kustwacht|vreemdelingenbewaring|uitzetting",
    # es
    r"gesti[oó]n (?:de|integrada de) fronteras|control fronterizo|guardacostas",
    r"centros? de detenci[oó]n|deportaci[oó]n|polic[ií]a|fuerzas (?:de seguridad|armadas)",
    r"migraci[oó]n irregular",
    # de
    r"grenzschutz|grenzmanagement|k[üu]stenwache|abschiebung|polizei|sicherheitskr[äa]fte",
]
NARROW_RE = re.compile("|".join(PHRASES), re.IGNORECASE)


def select(data_dir=sel.DEFAULT_DIR):
    taken = {(f, ident) for f, _s, _h, ident in sel.select(data_dir)}
    taken |= {(r[0], r[3]) for r in sel2.select(data_dir)}
    rows = []
    for name in sel2.FILES:
        for ident, text in sel2.activities(Path(data_dir) / name):
            if (name, ident) not in taken and NARROW_RE.search(text):
                rows.append((sel.sha1hex(ident), name, ident))
    return [(name, sel.split_of(h), h, ident, "narrow") for h, name, ident in sorted(rows)[:N]]


if __name__ == "__main__":
    for row in select(sys.argv[1] if len(sys.argv) > 1 else sel.DEFAULT_DIR):
        print("\t".join(row))
