"""Reference data with effective dates: UN LDCs, the DAC List of ODA Recipients, regional
free-movement areas, DAC/CRS purpose codes and country names (en/nl/fr).

Everything is read from pcd_screen/data (no network), one file per table, on first use. A question
the data cannot settle is answered (None, reason): uncertain, never guessed.
"""

from __future__ import annotations

import gettext
import json
from datetime import date
from functools import cached_property, lru_cache
from pathlib import Path
from typing import NamedTuple

from pcd_screen.core.digest import sha256
from pcd_screen.core.paths import DATA_DIR
from pcd_screen.core.yamlread import load_trusted

Answer = tuple["bool | None", "str | None"]

AREA_IDS = ("ecowas", "aes", "au-fmp", "eac", "igad", "sadc")
LIST_IDS = ("ldc", "dac-recipients", *AREA_IDS, "free-movement")
INCOME_GROUPS = ("LDC", "LIC", "LMIC", "UMIC")
LANGS = ("en", "nl", "fr")
# Kosovo has no ISO 3166-1 code; XKX is the user-assigned code used by the EU, IATI and others
# (XK in IATI's two-letter country codelist). Defined here, once, for every country lookup.
EXTRA_COUNTRIES = {"XKX": {"en": "Kosovo", "nl": "Kosovo", "fr": "Kosovo", "alpha_2": "XK"}}


def _yaml(name: str) -> dict:
    return load_trusted(DATA_DIR / name)


def _day(text) -> date | None:
    if text is None:
        return None
    return text if isinstance(text, date) else date.fromisoformat(str(text))


def _on_or_after(as_of: date, day: date | None) -> bool:
    return day is not None and as_of >= day


def _coverage_text(raw: dict) -> str:
    return f"{raw['from']} to {raw['to']}"


# --- LDC ---------------------------------------------------------------------------------------


class _Span(NamedTuple):  # NamedTuples: made at import on every run (bench/README.md)
    """One country's dated status in a list: member from `start` (or only known from `known_from`)
    until the day before `left`; unsettled from `uncertain_from`."""

    start: date | None = None
    known_from: date | None = None
    left: date | None = None
    uncertain_from: date | None = None
    note: str = ""
    extra: dict | None = None  # set by parse()

    @classmethod
    def parse(cls, raw: dict, start_key: str = "from") -> _Span:
        return cls(
            start=_day(raw.get(start_key)),
            known_from=_day(raw.get("known_from")),
            left=_day(raw.get("left")),
            uncertain_from=_day(raw.get("uncertain_from")),
            note=" ".join(str(raw.get("note") or "").split()),
            extra={k: v for k, v in raw.items() if k == "regime"},
        )


class _Ldc:
    def __init__(self, raw: dict):
        self.raw = raw
        self.start = _day(raw["coverage"]["from"])
        self.end = _day(raw["coverage"]["to"])
        self.members = {code: _Span.parse(entry or {}) for code, entry in raw["members"].items()}
        self.earlier = {
            code: _day(entry["not_member_from"]) for code, entry in raw["graduated_earlier"].items()
        }

    def membership(self, code: str, as_of: date) -> Answer:
        if as_of > self.end:
            return None, f"LDC data reach only to {self.end} (read {self.raw['version']})"
        span = self.members.get(code)
        if span is not None:
            if _on_or_after(as_of, span.uncertain_from):
                return (
                    None,
                    f"{code}: LDC status from {span.uncertain_from} not settled. {span.note}",
                )
            if _on_or_after(as_of, span.left):
                return False, None
            known = span.known_from or self.start
            if as_of >= known:
                return True, None
            return None, f"{code}: LDC membership before {known} not sourced"
        if code in self.earlier:
            if as_of >= self.earlier[code]:
                return False, None
            return None, f"{code}: graduation day not sourced; answered from {self.earlier[code]}"
        if as_of >= self.start:
            return False, None
        return None, f"LDC list not sourced before {self.start}"


# --- DAC List of ODA Recipients ----------------------------------------------------------------


class _Dac:
    def __init__(self, raw: dict):
        self.raw = raw
        self.start = _day(raw["coverage"]["from"])
        self.end = _day(raw["coverage"]["to"])
        self.base = dict(raw["list_2024"])
        history = raw.get("history") or {}
        self.hist_end = _day(history["to"]) if history else None
        self.hist = {
            code: [(_day(s["from"]), _day(s["to"]), s["listed"], s.get("group")) for s in spans]
            for code, spans in (history.get("entries") or {}).items()
        }
        # Each reporting period's List: (first day, last day, code -> group).
        self.lists = [
            (
                _day(item["from"]),
                _day(item["to"]),
                {code: group for group, codes in item["groups"].items() for code in codes},
            )
            for item in history.get("lists") or []
        ]
        self.changes: dict[str, list[dict]] = {}
        for change in raw.get("changes") or []:
            self.changes.setdefault(change["code"], []).append(change)
        self.unresolved = {k: " ".join(v.split()) for k, v in (raw.get("unresolved") or {}).items()}

    def group(self, code: str, as_of: date) -> tuple[str | None, str | None]:
        """(group or None if not on the List, None) when settled; (None, reason) when not."""
        if not self.start <= as_of <= self.end:
            return (
                None,
                f"DAC List data cover {self.start} to {self.end} only (flows of those years)",
            )
        if self.hist_end is not None and as_of <= self.hist_end:
            listed, group, why = self._history(code, as_of)
            if listed and group is None and why is None:  # an entry that names no group
                why = f"{code}: on the DAC List for {as_of.year} flows, group not sourced"
            return (None, why) if why is not None else (group, None)
        if code in self.unresolved:
            return None, f"{code}: {self.unresolved[code]}"
        group = self.base.get(code)
        for change in self.changes.get(code, []):
            if _on_or_after(as_of, _day(change.get("uncertain_from"))):
                note = " ".join(str(change.get("note") or "").split())
                return None, f"{code}: DAC List status for {as_of.year} flows not settled. {note}"
            if _on_or_after(as_of, _day(change.get("from"))):
                group = change.get("group")
        return group, None

    def _history(self, code: str, as_of: date) -> tuple[bool | None, str | None, str | None]:
        """(listed, group, None) for 2014-2023 flows: a change inside the period first, else
        the period's List; (None, None, reason) for a day no List of the table covers."""
        for start, end, listed, group in self.hist.get(code, []):
            if start <= as_of <= end:
                return listed, group, None
        for start, end, groups in self.lists:
            if start <= as_of <= end:
                group = groups.get(code)
                return group is not None, group, None
        return None, None, f"{code}: no DAC List of the table covers {as_of.year} flows"

    def membership(self, code: str, as_of: date) -> Answer:
        group, why = self.group(code, as_of)
        if why is not None:
            return None, why
        return group is not None, None


# --- Free-movement areas -----------------------------------------------------------------------


class _Cover(NamedTuple):
    status: bool | None  # do this area's free-movement rules apply to the nationals?
    in_force: bool | None
    basis: str
    reason: str | None = None


class _Area:
    def __init__(self, area_id: str, raw: dict, start: date, end: date):
        self.id = area_id
        self.name = raw["name"]
        self.start, self.end = start, end
        self.exists_from = _day(raw.get("exists_from"))
        self.complete_from = _day(raw.get("complete_from"))
        self.complete_to = _day(raw.get("complete_to"))
        regime = raw["regime"]
        self.regime_from = _day(regime.get("from"))
        self.in_force = regime.get("in_force")
        self.basis = " ".join(regime["basis"].split())
        self.regime_note = " ".join(str(regime.get("note") or "").split())
        self.members = {code: _Span.parse(entry) for code, entry in raw["members"].items()}
        self.also_covers = raw.get("also_covers") or []
        self.candidates = set(raw["candidates"]) if raw.get("candidates") else None

    def membership(self, code: str, as_of: date) -> Answer:
        if not self.start <= as_of <= self.end:
            return None, f"free-movement data cover {self.start} to {self.end} only"
        if self.exists_from and as_of < self.exists_from:
            return False, None
        span = self.members.get(code)
        if span is None and self.candidates is not None and code not in self.candidates:
            return False, None
        if span is not None:
            if _on_or_after(as_of, span.uncertain_from):
                return None, f"{code} in {self.name} from {span.uncertain_from}: {span.note}"
            if _on_or_after(as_of, span.left):
                return False, None
            if span.start is not None:
                return as_of >= span.start, None
            if as_of >= span.known_from:
                return True, None
            return None, f"{code} in {self.name}: membership before {span.known_from} not sourced"
        after_start = self.complete_from is not None and as_of >= self.complete_from
        before_end = self.complete_to is None or as_of <= self.complete_to
        if after_start and before_end:
            return False, None
        if after_start:
            return None, f"{self.name}: parties after {self.complete_to} not checked"
        return None, f"{self.name}: member list not sourced before {self.complete_from}"

    def cover(self, code: str, as_of: date) -> _Cover:
        if self.regime_from and as_of < self.regime_from:
            return _Cover(False, self.in_force, self.basis)
        status, reason = self.membership(code, as_of)
        basis = self.basis
        span = self.members.get(code)
        if status and span is not None and span.extra.get("regime") == "uncertain":
            status, reason = None, f"{code} in {self.name}: {span.note}"
        for extra in self.also_covers:
            if code not in extra["codes"] or status is True:
                continue
            if _on_or_after(as_of, _day(extra.get("from"))):
                status, reason, basis = True, None, " ".join(extra["basis"].split())
            elif _on_or_after(as_of, _day(extra.get("uncertain_from"))):
                note = " ".join(str(extra.get("note") or "").split())
                status, reason = None, f"{code}: {note}"
        if status is True and self.in_force is None:
            reason = f"{self.name}: {self.regime_note}"
        return _Cover(status, self.in_force, basis, reason)


class _FreeMovement:
    def __init__(self, raw: dict):
        self.raw = raw
        start, end = _day(raw["coverage"]["from"]), _day(raw["coverage"]["to"])
        self.start, self.end = start, end
        self.areas = {key: _Area(key, value, start, end) for key, value in raw["areas"].items()}

    def any_in_force(self, code: str, as_of: date) -> Answer:
        if not self.start <= as_of <= self.end:
            return None, f"free-movement data cover {self.start} to {self.end} only"
        doubts = []
        for area in self.areas.values():
            cover = area.cover(code, as_of)
            if cover.status is True and cover.in_force is True:
                return True, None
            if cover.in_force is False or cover.status is False:
                continue
            doubts.append(cover.reason or f"{area.name}: not settled")
        if doubts:
            return None, "; ".join(doubts)
        return False, None

    def areas_for(self, code: str, as_of: date) -> list[dict]:
        found = []
        for area in self.areas.values():
            cover = area.cover(code, as_of)
            if cover.status is False:
                continue
            item = {
                "id": area.id,
                "name": area.name,
                "in_force": cover.in_force is True,
                "basis": cover.basis,
            }
            if cover.reason or cover.status is None:
                item["uncertain"] = cover.reason or "not settled"
            found.append(item)
        return found


# --- Purpose codes -----------------------------------------------------------------------------


class _PurposeCodes:
    """The purpose-code table, each row parsed when it is first asked for: a screening asks for
    one or two of its 300-odd rows (the code, in the first column, is never quoted)."""

    def __init__(self, path: Path):
        self.header: list[str] = []
        rows = []
        with open(path, encoding="utf-8", newline="") as handle:
            for line in handle:
                if line.startswith("#"):
                    self.header.append(line[1:].strip())
                else:
                    rows.append(line)
        self._columns = rows[0]
        self._lines = {line.split(",", 1)[0]: line for line in rows[1:]}
        self.version = next(
            (h.split(":", 1)[1].strip() for h in self.header if h.startswith("read:")), "unknown"
        )

    def __len__(self) -> int:
        return len(self._lines)

    def row(self, code: str) -> dict | None:
        line = self._lines.get(code)
        if line is None:
            return None
        import csv  # only when a rule asks for a purpose code

        return next(csv.DictReader([self._columns, line]))

    def get(self, code) -> dict | None:
        row = self.row(str(code).strip())
        if row is None:
            return None
        return {
            "code": row["code"],
            "name": {"en": row["name_en"], "fr": row["name_fr"] or row["name_en"]},
            "category": row["category"],
            "crs": row["crs"] == "1",
            "tossd": row["tossd"] == "1",
            "withdrawn": row["withdrawn"] == "1",
        }


# --- The facade --------------------------------------------------------------------------------


class RefData:
    """Date-effective reference data. Tables load on first use and stay cached."""

    def __init__(self, data_dir: Path = DATA_DIR):
        self.data_dir = data_dir

    @cached_property
    def _ldc(self) -> _Ldc:
        return _Ldc(_yaml("ldc.yaml"))

    @cached_property
    def _dac(self) -> _Dac:
        return _Dac(_yaml("dac_recipients.yaml"))

    @cached_property
    def _fm(self) -> _FreeMovement:
        return _FreeMovement(_yaml("free_movement.yaml"))

    @cached_property
    def _purpose(self) -> _PurposeCodes:
        return _PurposeCodes(self.data_dir / "purpose_codes.csv")

    @cached_property
    def _iso3166_file(self) -> Path:
        # pycountry's own data file, read directly: importing pycountry costs more start-up time
        # than the rest of a screening (see bench/README.md).
        import importlib.util

        spec = importlib.util.find_spec("pycountry")
        return Path(spec.origin).parent / "databases" / "iso3166-1.json"

    @cached_property
    def _iso_entries(self) -> list[dict]:
        with open(self._iso3166_file, encoding="utf-8") as handle:
            return json.load(handle)["3166-1"]

    @cached_property
    def _countries(self) -> dict[str, str]:
        entries = self._iso_entries
        codes = {entry["alpha_3"]: entry["name"] for entry in entries}
        codes.update({code: names["en"] for code, names in EXTRA_COUNTRIES.items()})
        return codes

    @cached_property
    def _countries_version(self) -> str:
        digest = sha256(self._iso3166_file.read_bytes()).hexdigest()[:12]
        return f"pycountry iso3166-1 {digest}"

    @lru_cache(maxsize=8)  # noqa: B019 - one instance per process (load_refdata)
    def _translation(self, lang: str) -> gettext.NullTranslations:
        if lang == "en":
            return gettext.NullTranslations()
        import pycountry

        return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang])

    # versions and listing

    def versions(self) -> dict[str, str]:
        return {
            "ldc": str(self._ldc.raw["version"]),
            "dac-recipients": str(self._dac.raw["version"]),
            "free-movement": str(self._fm.raw["version"]),
            "purpose-codes": self._purpose.version,
            "countries": self._countries_version,
        }

    def tables(self) -> list[dict]:
        out = []
        for name, raw, rows in (
            ("ldc", self._ldc.raw, len(self._ldc.members) + len(self._ldc.earlier)),
            ("dac-recipients", self._dac.raw, len(self._dac.base) + len(self._dac.unresolved)),
            ("free-movement", self._fm.raw, sum(len(a.members) for a in self._fm.areas.values())),
        ):
            out.append(
                {
                    "name": name,
                    "title": raw["title"],
                    "source": " ".join(raw["source"].split()),
                    "version": str(raw["version"]),
                    "coverage": _coverage_text(raw["coverage"]),
                    "rows": rows,
                    "gaps": [" ".join(str(g).split()) for g in raw.get("gaps") or []],
                }
            )
        out.append(
            {
                "name": "purpose-codes",
                "title": "OECD DAC/CRS purpose codes (5-digit CRS, 7-digit TOSSD)",
                "source": "IATI Standard (http://iatistandard.org/), CC BY 4.0: DAC 5 Digit Sector "
                "codelist, master and latest-dac branches",
                "version": self._purpose.version,
                "coverage": "DAC sector codes as of the OECD lists of 2026-06-04 (IATI latest-dac)",
                "rows": len(self._purpose),
                "gaps": [
                    "latest-dac is an unmerged IATI branch, not the published IATI codelist",
                    "names of the new 7-digit TOSSD codes have no French text (English repeated)",
                    "withdrawn codes without CRS/TOSSD flags are treated as not current CRS codes",
                ],
            }
        )
        out.append(
            {
                "name": "countries",
                "title": "ISO 3166-1 alpha-3 codes and names (en/nl/fr), plus XKX Kosovo",
                "source": "pycountry (iso-codes) with its iso3166-1 translations",
                "version": self.versions()["countries"],
                "coverage": "current ISO 3166-1 entries",
                "rows": len(self._countries),
                "gaps": ["XKX (Kosovo) is not in ISO 3166-1; its names are given here"],
            }
        )
        return out

    # countries

    def is_country(self, code: str) -> bool:
        return isinstance(code, str) and code in self._countries

    def country_codes(self) -> list[str]:
        return sorted(self._countries)

    def alpha2_table(self) -> dict[str, str]:
        """ISO 3166-1 alpha-2 -> alpha-3 (and XK -> XKX)."""
        return self._alpha2

    @cached_property
    def _alpha2(self) -> dict[str, str]:
        table = {e["alpha_2"]: e["alpha_3"] for e in self._iso_entries}
        table.update({extra["alpha_2"]: code for code, extra in EXTRA_COUNTRIES.items()})
        return table

    def english_names(self, code: str) -> list[str]:
        """Every English name of a country in ISO 3166-1: name, common and official name."""
        if code in EXTRA_COUNTRIES:
            return [EXTRA_COUNTRIES[code]["en"]]
        for entry in self._iso_entries:
            if entry["alpha_3"] == code:
                keys = ("name", "common_name", "official_name")
                return [entry[k] for k in keys if entry.get(k)]
        return []

    def country_name(self, code: str, lang: str = "en") -> str:
        lang = lang.split("-", 1)[0]  # nl-NL, fr-BE: the country names of the base language
        if lang not in LANGS:
            raise ValueError(f"unsupported language {lang!r}; use one of {', '.join(LANGS)}")
        if code in EXTRA_COUNTRIES:
            return EXTRA_COUNTRIES[code][lang]
        name = self._countries.get(code)
        if name is None:
            return code
        return self._translation(lang).gettext(name)

    # lists

    def list_ids(self) -> list[str]:
        return list(LIST_IDS)

    def membership(self, list_id: str, code: str, as_of: date) -> Answer:
        if list_id not in LIST_IDS:
            raise ValueError(f"unknown reference list {list_id!r}; known: {', '.join(LIST_IDS)}")
        if not self.is_country(code):
            return None, f"{code!r} is not an ISO 3166-1 alpha-3 code (or XKX)"
        if list_id == "ldc":
            return self._ldc.membership(code, as_of)
        if list_id == "dac-recipients":
            return self._dac.membership(code, as_of)
        if list_id == "free-movement":
            return self._fm.any_in_force(code, as_of)
        return self._fm.areas[list_id].membership(code, as_of)

    def dac_income_group(self, code: str, as_of: date) -> str | None:
        group, _why = self._dac.group(code, as_of)
        return group

    def free_movement_areas(self, code: str, as_of: date) -> list[dict]:
        if not self.is_country(code):
            return []
        return self._fm.areas_for(code, as_of)

    # purpose codes

    def purpose_code(self, code: int | str) -> dict | None:
        return self._purpose.get(code)


@lru_cache(maxsize=1)
def load_refdata() -> RefData:
    return RefData()
