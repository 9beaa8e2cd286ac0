#!/usr/bin/env python3
"""Reproduce the selection and dev/heldout split of batch 2 of the labelled IATI set.

Stdlib only. Batch 2 enriches the set for migration-control candidates. The rule was fixed
before any batch-2 activity was read:

1. Universe: every activity of dev-migration.xml and dev-other.xml whose (file, identifier)
   is not selected by batch 1 (eval/iati/select.py).
2. Text: all <narrative> texts of the activity (any element: title, descriptions, orgs,
   sectors, results, transactions, ...), joined with spaces.
3. Candidate: the text matches CONTROL_RE (case-insensitive), a broad list of control- and
   border-related words in en/fr/nl/es/de, declared below. A match is not a judgement: it
   enriches the sample for control activities and for services at borders/in detention.
4. Candidates (both files together) are sorted by sha1(identifier) hex digest and the first
   N_CANDIDATES are taken; non-candidates (both files together) likewise, first N_OTHER.
5. split = heldout when int(sha1hex, 16) % 3 == 0, else dev (the batch-1 rule).

Usage: python3 eval/iati/select2.py [DATA_DIR]   (default /work/shared/data/iati-real)
Prints one line per selected activity: file, split, sha1, identifier, stratum (tab separated).
"""

import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import select as sel  # noqa: E402  (eval/iati/select.py)

DEFAULT_DIR = sel.DEFAULT_DIR
FILES = ("dev-migration.xml", "dev-other.xml")
N_CANDIDATES = 100
N_OTHER = 20

WORDS = [
    # en
    r"border",
    r"coast ?guard",
    r"detention",
    r"detain",
    r"\breturn",
    r"readmission",
    r"deport",
    r"expel",
    r"expulsion",
    r"\bpolice",
    r"gendarm",
    r"security forces",
    r"armed forces",
    r"\barmy\b",
    r"military",
    r"smuggl",
    r"traffick",
    r"biometric",
    r"surveillance",
    r"laissez[- ]passer",
    r"intercept",
    r"checkpoint",
    r"patrol",
    r"passport",
    r"travel document",
    r"irregular migra",
    r"immigration",
    # fr
    r"fronti[eè]re",
    r"frontalier",
    r"garde[- ]c[oô]tes",
    r"r[ée]tention",
    r"\bretour",
    r"r[ée]admission",
    r"[ée]loignement",
    r"forces de (?:l'ordre|s[ée]curit[ée]|d[ée]fense)",
    r"passeur",
    r"\btrafic",
    r"\btraite\b",
    r"biom[ée]tri",
    r"migration irr[ée]guli[eè]re",
    # nl
    r"\bgrens",
    r"grenzen",
    r"kustwacht",
    r"detentie",
    r"vreemdelingenbewaring",
    r"terugkeer",
    r"terugname",
    r"uitzetting",
    r"politie",
    r"veiligheidsdienst",
    r"smokkel",
    r"mensenhandel",
    r"irreguliere migratie",
    # es
    r"frontera",
    r"fronteriz",
    r"guardacostas",
    r"guardia costera",
    r"detenci[oó]n",
    r"retorno",
    r"readmisi[oó]n",
    r"deportaci[oó]n",
    r"polic[ií]a",
    r"fuerzas de seguridad",
    r"fuerzas armadas",
    r"\btr[aá]fico",
    r"\btrata\b",
    r"contrabando",
    r"vigilancia",
    r"salvoconducto",
    r"migraci[oó]n irregular",
    # de
    r"grenze",
    r"grenzschutz",
    r"k[üu]stenwache",
    r"abschiebung",
    r"r[üu]ckf[üu]hrung",
    r"r[üu]cknahme",
    r"r[üu]ckkehr",
    r"\bhaft",
    r"polizei",
    r"sicherheitskr[äa]fte",
    r"schleus",
    r"schlepper",
    r"menschenhandel",
    r"[üu]berwachung",
    r"irregul[äa]re migration",
]
CONTROL_RE = re.compile("|".join(WORDS), re.IGNORECASE)


def activities(path):
    """(identifier, joined narrative text) for every activity of the file, in file order."""
    out = []
    for _event, elem in ET.iterparse(path, events=("end",)):
        if elem.tag == "iati-activity":
            ident = (elem.findtext("iati-identifier") or "").strip()
            text = " ".join((n.text or "").strip() for n in elem.iter("narrative"))
            out.append((ident, text))
            elem.clear()
    return out


def select(data_dir=DEFAULT_DIR):
    taken = {(f, ident) for f, _s, _h, ident in sel.select(data_dir)}
    cands, others = [], []
    for name in FILES:
        for ident, text in activities(Path(data_dir) / name):
            if (name, ident) in taken:
                continue
            row = (sel.sha1hex(ident), name, ident)
            (cands if CONTROL_RE.search(text) else others).append(row)
    out = []
    for stratum, rows, n in (("candidate", cands, N_CANDIDATES), ("other", others, N_OTHER)):
        for h, name, ident in sorted(rows)[:n]:
            out.append((name, sel.split_of(h), h, ident, stratum))
    return out


def pool_sizes(data_dir=DEFAULT_DIR):
    """How many unlabelled activities are candidates / non-candidates (for the README)."""
    taken = {(f, ident) for f, _s, _h, ident in sel.select(data_dir)}
    n = {"candidate": 0, "other": 0}
    for name in FILES:
        for ident, text in activities(Path(data_dir) / name):
            if (name, ident) not in taken:
                n["candidate" if CONTROL_RE.search(text) else "other"] += 1
    return n


if __name__ == "__main__":
    if "--pool" in sys.argv:
        print(pool_sizes())
    else:
        args = [a for a in sys.argv[1:] if not a.startswith("--")]
        for row in select(args[0] if args else DEFAULT_DIR):
            print("\t".join(row))
