"""Where the shipped rules, templates, schemas and data live, installed or in a checkout."""

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = PACKAGE_DIR / "data"
SCHEMA_DIR = PACKAGE_DIR / "schemas"


def _shipped(name: str) -> Path:
    # A wheel packs the top-level folders as pcd_screen/_<name>; a checkout has them beside.
    inside = PACKAGE_DIR / f"_{name}"
    return inside if inside.is_dir() else PACKAGE_DIR.parent / name


RULES_DIR = _shipped("rules")
# The concept frames of the text layer (rules read them; the ruleset hash covers them).
FRAMES_FILE = DATA_DIR / "frames" / "frames.yaml"
TEMPLATES_DIR = _shipped("templates")
