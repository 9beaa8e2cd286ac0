import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
import yaml

from pcd_screen.engine.refdata import DATA_DIR, LIST_IDS, load_refdata

REPO = Path(__file__).resolve().parent.parent
SCREEN_DAY = date(2026, 11, 23)  # the default screening date
NEXT_DAY = date(2026, 11, 24)  # Lao PDR and Nepal leave the LDC category


@pytest.fixture(scope="module")
def ref():
    return load_refdata()


def ldc_answers(ref, day):
    return {code: ref.membership("ldc", code, day) for code in ref.country_codes()}


# --- LDC --------------------------------------------------------------------------------------


def test_44_ldcs_on_screening_day(ref):
    answers = ldc_answers(ref, SCREEN_DAY)
    assert sum(1 for member, _ in answers.values() if member is True) == 44
    assert all(member is not None for member, _ in answers.values())


def test_after_24_november_2026_lao_nepal_out_and_bangladesh_uncertain(ref):
    answers = ldc_answers(ref, NEXT_DAY)
    assert sum(1 for member, _ in answers.values() if member is True) <= 42
    assert answers["LAO"] == (False, None)
    assert answers["NPL"] == (False, None)
    member, why = answers["BGD"]
    assert member is None
    assert "General Assembly" in why
    assert [c for c, (m, _) in answers.items() if m is None] == ["BGD"]
    for code in ("LAO", "NPL", "BGD"):
        assert ref.membership("ldc", code, SCREEN_DAY) == (True, None)


@pytest.mark.parametrize(
    ("code", "left"),
    [
        ("VUT", date(2020, 12, 4)),
        ("BTN", date(2023, 12, 13)),
        ("STP", date(2024, 12, 13)),
        ("SLB", date(2027, 12, 13)),
    ],
)
def test_graduation_dates(ref, code, left):
    assert ref.membership("ldc", code, date.fromordinal(left.toordinal() - 1)) == (True, None)
    assert ref.membership("ldc", code, left) == (False, None)


def test_stale_m49_flag_for_sao_tome_is_not_used(ref):
    assert ref.membership("ldc", "STP", SCREEN_DAY) == (False, None)


@pytest.mark.parametrize(
    ("day", "count"),
    [
        (date(2014, 1, 1), 48),
        (date(2017, 6, 3), 48),
        (date(2017, 6, 4), 47),  # Equatorial Guinea left
        (date(2020, 12, 4), 46),  # Vanuatu
        (date(2023, 12, 13), 45),  # Bhutan
        (date(2024, 12, 13), 44),  # Sao Tome and Principe
    ],
)
def test_ldc_counts_since_2014(ref, day, count):
    answers = ldc_answers(ref, day)
    assert sum(1 for member, _ in answers.values() if member is True) == count
    assert all(member is not None for member, _ in answers.values())


@pytest.mark.parametrize(
    ("code", "day", "member"),
    [
        ("WSM", date(2014, 1, 1), False),  # Samoa graduated on 1 January 2014
        ("WSM", date(2015, 1, 1), False),
        ("GNQ", date(2016, 1, 1), True),
        ("GNQ", date(2017, 6, 3), True),
        ("GNQ", date(2018, 1, 1), False),
        ("VUT", date(2015, 1, 1), True),
        ("VUT", date(2019, 6, 1), True),
        ("BTN", date(2014, 1, 1), True),
        ("NER", date(2014, 1, 1), True),
        ("BGD", date(2016, 6, 1), True),
        ("FRA", date(2016, 6, 1), False),
    ],
)
def test_ldc_history(ref, code, day, member):
    assert ref.membership("ldc", code, day) == (member, None)


def test_ldc_outside_coverage_is_uncertain(ref):
    member, why = ref.membership("ldc", "NER", date(2010, 1, 1))
    assert member is None and "not sourced" in why
    member, why = ref.membership("ldc", "NER", date(2030, 1, 1))
    assert member is None and why
    assert ref.membership("ldc", "FRA", SCREEN_DAY) == (False, None)


# --- DAC List of ODA Recipients -------------------------------------------------------------------


def test_nauru_leaves_dac_list_on_1_january_2026(ref):
    assert ref.membership("dac-recipients", "NRU", date(2025, 12, 31)) == (True, None)
    assert ref.membership("dac-recipients", "NRU", date(2026, 1, 1)) == (False, None)
    assert ref.dac_income_group("NRU", date(2025, 6, 1)) == "UMIC"
    assert ref.dac_income_group("NRU", date(2026, 6, 1)) is None


def test_montserrat_uncertain_for_2026_flows(ref):
    assert ref.membership("dac-recipients", "MSR", date(2025, 6, 1)) == (True, None)
    member, why = ref.membership("dac-recipients", "MSR", SCREEN_DAY)
    assert member is None and "Montserrat" in why
    assert ref.dac_income_group("MSR", SCREEN_DAY) is None


@pytest.mark.parametrize(
    ("code", "day", "group"),
    [
        ("AFG", SCREEN_DAY, "LDC"),
        ("PRK", SCREEN_DAY, "LIC"),
        ("SYR", date(2024, 3, 1), "LIC"),
        ("IND", SCREEN_DAY, "LMIC"),
        ("MAR", SCREEN_DAY, "LMIC"),
        ("CHN", SCREEN_DAY, "UMIC"),
        ("TUR", SCREEN_DAY, "UMIC"),
        ("STP", date(2024, 6, 1), "LDC"),
        ("STP", SCREEN_DAY, "LMIC"),
        ("LAO", NEXT_DAY, "LDC"),
        ("FRA", SCREEN_DAY, None),
    ],
)
def test_income_groups(ref, code, day, group):
    assert ref.dac_income_group(code, day) == group


def test_dac_list_counts_for_2024_flows(ref):
    day = date(2024, 6, 1)
    groups = [ref.dac_income_group(code, day) for code in ref.country_codes()]
    assert groups.count("LDC") == 45
    assert sum(g is not None for g in groups) == 140


def test_dac_outside_coverage_and_kosovo_uncertain(ref):
    for code, day in (
        ("NER", date(2013, 12, 31)),
        ("NER", date(2027, 1, 1)),
        ("XKX", SCREEN_DAY),  # on the Lists of 2014-2023, left out of the copy of 2024's
    ):
        member, why = ref.membership("dac-recipients", code, day)
        assert member is None and why


# --- DAC List before 2024 flows: the List of each reporting period ------------------------------


@pytest.mark.parametrize(
    ("code", "day", "member"),
    [
        ("CHL", date(2017, 6, 1), True),  # graduated from the List as of 1 January 2018
        ("CHL", date(2019, 6, 1), False),
        ("URY", date(2017, 12, 31), True),
        ("URY", date(2018, 1, 1), False),
        ("SYC", date(2018, 1, 1), False),
        ("ATG", date(2021, 12, 31), True),  # graduated 1 January 2022
        ("ATG", date(2022, 1, 1), False),
        ("PLW", date(2022, 6, 1), True),  # identified for graduation but remained
        ("COK", date(2019, 6, 1), True),  # graduated 1 January 2020, inside a period
        ("COK", date(2020, 6, 1), False),
        ("NER", date(2015, 1, 1), True),
        ("IND", date(2023, 6, 1), True),
        ("MAR", date(2019, 6, 1), True),
        ("XKX", date(2019, 6, 1), True),
        ("FRA", date(2016, 1, 1), False),  # EU members are never on the List
        ("RUS", date(2020, 6, 1), False),  # nor (former) G8 members
    ],
)
def test_dac_history_membership(ref, code, day, member):
    assert ref.membership("dac-recipients", code, day) == (member, None)


@pytest.mark.parametrize(
    ("code", "day", "group"),
    [
        ("VUT", date(2020, 6, 1), "LDC"),
        ("VUT", date(2021, 6, 1), "LMIC"),  # moved on 1 January 2021, the only change that year
        ("VUT", date(2024, 6, 1), "LMIC"),
        ("CHL", date(2016, 6, 1), "UMIC"),
        ("KEN", date(2015, 6, 1), "LIC"),  # an "other low income" country on the 2014 List
        ("KEN", date(2019, 6, 1), "LMIC"),
        ("GNQ", date(2017, 6, 1), "LDC"),  # the 2014 List ran to 2017 flows unchanged
        ("GNQ", date(2019, 6, 1), "UMIC"),
        ("XKX", date(2021, 6, 1), "LMIC"),
        ("XKX", date(2023, 6, 1), "UMIC"),
        ("JOR", date(2023, 6, 1), "UMIC"),
        ("JOR", date(2024, 6, 1), "LMIC"),
        ("FRA", date(2016, 6, 1), None),
    ],
)
def test_dac_history_groups(ref, code, day, group):
    assert ref.dac_income_group(code, day) == group


def test_every_history_list_has_the_counts_of_its_sources():
    from pcd_screen.engine.refdata import _yaml

    lists = _yaml("dac_recipients.yaml")["history"]["lists"]
    counts = {
        item["flows"]: tuple(len(item["groups"][g]) for g in ("LDC", "LIC", "LMIC", "UMIC"))
        for item in lists
    }
    assert counts == {
        "2014-2017": (48, 4, 36, 58),  # the OECD's PDF of the 2014 List
        "2018-2020": (47, 2, 37, 57),
        "2021": (46, 2, 38, 56),
        "2022-2023": (46, 2, 36, 57),
    }
    seen = [code for item in lists for codes in item["groups"].values() for code in codes]
    assert len(seen) == sum(map(sum, counts.values()))  # no code in two groups of one List


# --- Free movement ----------------------------------------------------------------------------


def test_niger_ecowas_and_aes_around_exit(ref):
    before, exit_day = date(2025, 1, 28), date(2025, 1, 29)
    assert ref.membership("ecowas", "NER", before) == (True, None)
    assert ref.membership("ecowas", "NER", exit_day) == (False, None)
    assert ref.membership("aes", "NER", before) == (True, None)
    assert ref.membership("aes", "NER", exit_day) == (True, None)
    assert ref.membership("aes", "NER", date(2023, 9, 15)) == (False, None)
    # ECOWAS kept free movement for AES citizens "until further notice".
    assert ref.membership("free-movement", "NER", exit_day) == (True, None)
    areas = {a["id"]: a for a in ref.free_movement_areas("NER", exit_day)}
    assert areas["ecowas"]["in_force"] is True
    assert "until further notice" in areas["ecowas"]["basis"]
    assert areas["aes"]["in_force"] is False and areas["aes"]["uncertain"]


def test_au_protocol_not_in_force(ref):
    areas = {a["id"]: a for a in ref.free_movement_areas("STP", SCREEN_DAY)}
    assert areas["au-fmp"]["in_force"] is False
    assert ref.membership("au-fmp", "RWA", SCREEN_DAY) == (True, None)
    assert ref.membership("au-fmp", "FRA", SCREEN_DAY) == (False, None)
    # Sao Tome is a party only to the AU protocol, which is not in force.
    assert ref.membership("free-movement", "STP", SCREEN_DAY) == (False, None)


def test_regional_areas(ref):
    assert ref.membership("eac", "KEN", SCREEN_DAY) == (True, None)
    assert ref.membership("free-movement", "KEN", SCREEN_DAY) == (True, None)
    assert ref.membership("igad", "ETH", SCREEN_DAY) == (True, None)
    assert ref.membership("sadc", "ZAF", SCREEN_DAY) == (True, None)
    assert ref.membership("sadc", "KEN", SCREEN_DAY) == (False, None)
    assert ref.membership("free-movement", "FRA", SCREEN_DAY) == (False, None)
    member, why = ref.membership("free-movement", "SSD", SCREEN_DAY)  # EAC coverage not sourced
    assert member is None and "Common Market Protocol" in why


def test_cemac_visa_free_movement_from_its_2017_summit(ref):
    areas = {a["id"]: a for a in ref.free_movement_areas("TCD", SCREEN_DAY)}
    assert areas["cemac"]["in_force"] is True
    assert ref.membership("free-movement", "TCD", SCREEN_DAY) == (True, None)
    assert ref.membership("free-movement", "CMR", SCREEN_DAY) == (True, None)
    # before the 2017 summit Chad is in no area in force that the data know of
    assert "cemac" not in {a["id"] for a in ref.free_movement_areas("TCD", date(2016, 6, 1))}
    member, why = ref.membership("free-movement", "GNQ", SCREEN_DAY)  # application uncertain
    assert member is None and why


# --- Uncertain answers carry a reason -----------------------------------------------------------


@pytest.mark.parametrize(
    "day", [date(2015, 1, 1), date(2024, 6, 1), SCREEN_DAY, NEXT_DAY, date(2028, 1, 1)]
)
def test_uncertain_answers_have_reasons(ref, day):
    for list_id in LIST_IDS:
        for code in ref.country_codes():
            member, why = ref.membership(list_id, code, day)
            if member is None:
                assert isinstance(why, str) and why.strip(), (list_id, code, day)
            else:
                assert why is None, (list_id, code, day)


def test_unknown_codes_and_lists(ref):
    member, why = ref.membership("ldc", "XXX", SCREEN_DAY)
    assert member is None and "XXX" in why
    with pytest.raises(ValueError):
        ref.membership("g7", "FRA", SCREEN_DAY)
    assert ref.list_ids() == list(LIST_IDS)


# --- Purpose codes ------------------------------------------------------------------------------


def test_purpose_codes(ref):
    migration = ref.purpose_code(15190)
    assert migration["crs"] is True and migration["category"] == "151"
    assert migration["name"]["en"].startswith("Facilitation of orderly")
    assert migration["name"]["fr"].startswith("Faciliter la migration")
    assert ref.purpose_code("15190") == migration
    tossd_only = ref.purpose_code("1513010")
    assert tossd_only["tossd"] is True and tossd_only["crs"] is False
    assert ref.purpose_code("15120")["withdrawn"] is True
    assert ref.purpose_code(99999) is None


# --- Countries ------------------------------------------------------------------------------------


def test_country_names_in_three_languages(ref):
    assert [ref.country_name("DEU", lang) for lang in ("en", "nl", "fr")] == [
        "Germany",
        "Duitsland",
        "Allemagne",
    ]
    assert ref.country_name("CIV", "fr") == "Côte d'Ivoire"
    assert ref.country_name("XKX", "nl") == "Kosovo"
    assert ref.is_country("XKX") and ref.is_country("NER") and not ref.is_country("XXX")
    assert ref.country_codes() == sorted(ref.country_codes())
    with pytest.raises(ValueError):
        ref.country_name("DEU", "de")


# --- Tables and data integrity ------------------------------------------------------------------


def test_versions_and_tables(ref):
    versions = ref.versions()
    assert {"ldc", "dac-recipients", "free-movement", "purpose-codes"} <= set(versions)
    assert versions["ldc"] == "2026-11-23"
    tables = {t["name"]: t for t in ref.tables()}
    for name in ("ldc", "dac-recipients", "free-movement", "purpose-codes", "countries"):
        assert tables[name]["source"] and tables[name]["version"] and tables[name]["rows"] > 0
        assert all(isinstance(gap, str) for gap in tables[name]["gaps"])
    assert tables["dac-recipients"]["gaps"]


@pytest.mark.parametrize("name", ["ldc.yaml", "dac_recipients.yaml", "free_movement.yaml"])
def test_data_files_cite_known_sources_and_codes(ref, name):
    raw = yaml.safe_load((DATA_DIR / name).read_text(encoding="utf-8"))
    sources = set(raw["sources"])
    seen = []

    def walk(node):
        if isinstance(node, dict):
            for key in node.get("sources") or []:
                seen.append(key)
                assert key in sources, key
            if "flag" in node:
                assert node["flag"] in ("V", "P")
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk({k: v for k, v in raw.items() if k != "sources"})
    assert seen
    for key in ("members", "graduated_earlier", "list_2024", "unresolved"):
        for code in raw.get(key) or {}:
            assert ref.is_country(code), code
    for area in (raw.get("areas") or {}).values():
        for code in area["members"]:
            assert ref.is_country(code), code


def test_lookups_are_fast(ref):
    import time

    codes = ref.country_codes()
    start = time.perf_counter()
    for code in codes:
        for list_id in LIST_IDS:
            ref.membership(list_id, code, SCREEN_DAY)
    assert time.perf_counter() - start < 1.0


# --- The derived purpose-code table is reproducible ---------------------------------------------


def _shared_data() -> Path | None:
    for candidate in (REPO.parent / "shared" / "data", Path("/work/shared/data")):
        if (candidate / "iati-codelists" / "Sector.xml").is_file():
            return candidate
    return None


def test_purpose_codes_csv_is_reproducible(tmp_path):
    shared = _shared_data()
    if shared is None:
        pytest.skip(
            "shared data (../shared/data with iati-codelists) not present; cannot re-derive"
        )
    out = tmp_path / "purpose_codes.csv"
    subprocess.run(
        [
            sys.executable,
            str(REPO / "scripts" / "derive_purpose_codes.py"),
            str(shared),
            "--out",
            str(out),
        ],
        check=True,
    )
    assert out.read_bytes() == (DATA_DIR / "purpose_codes.csv").read_bytes()


def test_india_nepal_open_border_is_a_free_movement_area(ref):
    areas = {a["id"]: a for a in ref.free_movement_areas("NPL", SCREEN_DAY)}
    assert areas["ind-npl"]["in_force"] is True
    assert ref.membership("free-movement", "NPL", SCREEN_DAY) == (True, None)
    assert ref.membership("free-movement", "IND", date(2015, 6, 1)) == (True, None)
    # bilateral: a neighbour of both is not in it
    assert "ind-npl" not in {a["id"] for a in ref.free_movement_areas("BGD", SCREEN_DAY)}
    assert ref.membership("free-movement", "BTN", SCREEN_DAY) == (False, None)
