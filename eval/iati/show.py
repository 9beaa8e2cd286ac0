#!/usr/bin/env python3
"""Print the text of selected IATI activities compactly, for reading while labelling.

Reading aid only: it prints, it does not classify. Stdlib only.
Usage: python3 eval/iati/show.py [--batch 2|3|4] [START [END]]
(indices into select.py's order, or select2-4.py's with --batch 2, 3 or 4)
"""

import json
import os
import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import select as _sel  # noqa: E402  (our select.py, not the stdlib module)

import select2 as _sel2  # noqa: E402  (batch 2)
import select3 as _sel3  # noqa: E402  (batch 3)
import select4 as _sel4  # noqa: E402  (batch 4)

ROOT = Path(__file__).resolve().parents[2]
CAT = json.loads((ROOT / "pcd_screen/data/iati_tables.json").read_text())["sector_categories"]

MAX = int(os.environ.get("MAX", "1300"))
LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def attr(act, tag, name):
    e = act.find(tag)
    return None if e is None else e.get(name)


def txt(e):
    if e is None:
        return ""
    nars = list(e.iter("narrative"))
    en = [n for n in nars if n.get(LANG) == "en"]
    parts = [n.text or "" for n in (en or nars)]
    s = " | ".join(p.strip() for p in parts if p.strip()) or (e.text or "").strip()
    return re.sub(r"\s+", " ", s)


def cut(s, n=MAX):
    return s if len(s) <= n else s[:n] + " [...]"


def show(act):
    g = act.get
    out = []
    out.append(
        f"ID: {act.findtext('iati-identifier')}   humanitarian={g('humanitarian')}  status="
        f"{attr(act, 'activity-status', 'code')}"
    )
    out.append(f"REPORTING: {txt(act.find('reporting-org'))} [{attr(act, 'reporting-org', 'ref')}]")
    out.append(f"TITLE: {txt(act.find('title'))}")
    for d in act.findall("description"):
        out.append(f"DESC(type {d.get('type')}): {cut(txt(d))}")
    for p in act.findall("participating-org"):
        out.append(f"  ORG role={p.get('role')} type={p.get('type')}: {txt(p)} [{p.get('ref')}]")
    for c in act.findall("recipient-country"):
        out.append(f"  COUNTRY {c.get('code')} {c.get('percentage') or ''} {txt(c)}")
    for r in act.findall("recipient-region"):
        out.append(f"  REGION {r.get('code')} {txt(r)}")
    for s in act.findall("sector"):
        code = s.get("code") or ""
        v = s.get("vocabulary") or "1"
        name = CAT.get(code[:3], {}).get("en", "") if v in ("1", "2") else ""
        out.append(f"  SECTOR v{v} {code} {s.get('percentage') or ''} {name} {txt(s)}")
    for h in act.findall("humanitarian-scope"):
        out.append(f"  HUMSCOPE type={h.get('type')} code={h.get('code')} {txt(h)}")
    for t in act.findall("tag"):
        out.append(f"  TAG {t.get('vocabulary')} {t.get('code')} {txt(t)}")
    for pm in act.findall("policy-marker"):
        if pm.get("significance") not in (None, "0"):
            out.append(
                f"  POLICY {pm.get('vocabulary')} {pm.get('code')} sig={pm.get('significance')}"
            )
    dates = [f"{d.get('type')}:{d.get('iso-date')}" for d in act.findall("activity-date")]
    out.append(f"  DATES {' '.join(dates)}")
    for r in act.findall("result")[:6]:
        out.append(
            f"  RESULT: {cut(txt(r.find('title')), 300)} / {cut(txt(r.find('description')), 300)}"
        )
        for i in r.findall("indicator")[:4]:
            out.append(f"    IND: {cut(txt(i.find('title')), 250)}")
    tr = [cut(txt(t.find("description")), 150) for t in act.findall("transaction")]
    tr = [t for t in dict.fromkeys(tr) if t][:4]
    for t in tr:
        out.append(f"  TXDESC: {t}")
    return "\n".join(out)


def main():
    args = sys.argv[1:]
    if args[:1] == ["--batch"]:
        batch, args = args[1], args[2:]
    else:
        batch = "1"
    chosen = {"2": _sel2, "3": _sel3, "4": _sel4}.get(batch, _sel).select()
    rows = [r[:4] for r in chosen]
    a = int(args[0]) if len(args) > 0 else 0
    b = int(args[1]) if len(args) > 1 else len(rows)
    want = {}
    for i, (f, split, _h, ident) in enumerate(rows):
        if a <= i < b:
            want.setdefault(f, {})[ident] = (i, split)
    acts = {}
    for f, ids in want.items():
        for act in ET.parse(Path(_sel.DEFAULT_DIR) / f).getroot().iter("iati-activity"):
            ident = (act.findtext("iati-identifier") or "").strip()
            if ident in ids:
                acts[ids[ident][0]] = (f, ids[ident][1], act)
    for i in sorted(acts):
        f, split, act = acts[i]
        print(f"===== #{i} {f} {split}")
        print(show(act))
        print()


if __name__ == "__main__":
    main()
