#!/usr/bin/env python3
"""Reproduce the selection and dev/heldout split of the labelled IATI evaluation set.

Stdlib only. For each source file, every <iati-identifier> text (leading/trailing
whitespace stripped) is hashed with SHA-1; identifiers are sorted by the hex digest and
the first N are taken (120 from dev-migration.xml, 60 from dev-other.xml).
An activity is `heldout` when int(sha1hex, 16) % 3 == 0, else `dev`.

Usage: python3 eval/iati/select.py [DATA_DIR]   (default /work/shared/data/iati-real)
Prints one line per selected activity: file, split, sha1, identifier (tab separated).
"""
import hashlib
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

DEFAULT_DIR = "/work/shared/data/iati-real"
QUOTA = (("dev-migration.xml", 120), ("dev-other.xml", 60))


def identifiers(path):
    ids = []
    for _event, elem in ET.iterparse(path, events=("end",)):
        if elem.tag == "iati-identifier":
            ids.append((elem.text or "").strip())
        elif elem.tag == "iati-activity":
            elem.clear()
    return ids


def sha1hex(identifier):
    return hashlib.sha1(identifier.encode()).hexdigest()


def split_of(hexdigest):
    return "heldout" if int(hexdigest, 16) % 3 == 0 else "dev"


def select(data_dir=DEFAULT_DIR):
    out = []
    for name, n in QUOTA:
        ids = identifiers(Path(data_dir) / name)
        for ident in sorted(ids, key=sha1hex)[:n]:
            h = sha1hex(ident)
            out.append((name, split_of(h), h, ident))
    return out


if __name__ == "__main__":
    for row in select(sys.argv[1] if len(sys.argv) > 1 else DEFAULT_DIR):
        print("\t".join(row))
