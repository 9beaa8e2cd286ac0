"""IATI import: field mapping, inferred categories with evidence, errors, safety, streaming."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import tracemalloc
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from conftest import REPO, SHARED
from pcd_screen.core.schemas import load_schema
from pcd_screen.inputs.iati import (
    ImportedActivity,
    ImportErrorRecord,
    iter_activities,
    tables,
    to_proposal,
)
from pcd_screen.inputs.proposal import proposal_from_data

FIXTURES = REPO / "tests" / "fixtures" / "iati"
EXAMPLES = SHARED / "data" / "iati-examples"
CODELISTS = SHARED / "data" / "iati-codelists"


def imported(name: str, lang: str = "en") -> list:
    return list(iter_activities(FIXTURES / name, lang=lang))


def one(name: str, lang: str = "en") -> dict:
    (item,) = imported(name, lang)
    assert isinstance(item, ImportedActivity), str(item)
    return item.proposal


# --- every mapped field -------------------------------------------------------------------------


def test_eutf_border_activity_v203():
    p = one("eutf-border-niger-v2.03.xml")
    assert p["schema_version"] == 1
    assert p["id"] == "XI-IATI-EC_INTPA-T05-EUTF-SAH-NE-99"
    assert p["title"].startswith("Integrated border management")
    assert p["language"] == "en"
    # description: the English narrative although the French one comes first
    assert p["description"].startswith("Capacity building of the internal security forces")
    assert p["donor"] == "EU Emergency Trust Fund for Africa"
    assert p["implementers"] == [
        {"name": "Agence de coopération d'un État membre", "type": "other", "x-iati-type": "10"},
        {
            "name": "International Organization for Migration",
            "type": "international-organisation",
            "x-iati-type": "40",
            "x-iati-ref": "XM-DAC-47066",
        },
    ]
    assert p["oda"]["purpose_codes"] == [{"code": 15190, "percentage": 100}]
    assert p["oda"]["reported_as_oda"] is True
    # original budget preferred over the revised one
    assert p["budget"] == {
        "total": 25000000,
        "currency": "EUR",
        "x-budget-source": "original budgets",
        "x-value-date": "2019-01-01",
    }
    assert p["period"]["start"] == "2019-03-12"  # actual start over planned
    assert p["period"]["x-start-type"] == "actual"
    assert p["period"]["end"] == "2022-12-31"  # only a planned end
    assert p["period"]["x-end-type"] == "planned"
    assert p["countries"] == [{"code": "NER", "percentage": 100}]
    assert p["gender_marker"] == 2  # significance 3 -> 2
    assert p["x-humanitarian"] is False
    assert p["x-sdg"] == {"goals": ["10"], "targets": ["10.7", "16.a"]}
    policy, fiduciary = p["conditions"]
    assert policy["type"] == "policy"
    assert policy["text"].startswith("Disbursement of the second tranche")
    assert policy["linked_to"] == ["readmission"]
    assert policy["x-inferred"]["linked_to"]["from"] == "words"
    assert "readmission: 'readmission*'" in policy["x-inferred"]["linked_to"]["evidence"]
    assert fiduciary["type"] == "fiduciary"
    assert fiduciary["linked_to"] == ["other"]
    lines = p["x-iati"].pop("lines")
    assert p["x-iati"] == {
        "file": str(FIXTURES / "eutf-border-niger-v2.03.xml"),
        "line": 5,
        "version": "2.03",
    }
    # where each value was read: its path in the proposal, the line and the IATI element
    assert [[], 5, "iati-activity"] in lines
    assert [["oda", "purpose_codes", 0], 25, "sector"] in lines
    assert [["countries", 0], 24, "recipient-country"] in lines


def test_eutf_border_activity_category_from_code_and_words():
    (activity,) = one("eutf-border-niger-v2.03.xml")["activities"]
    assert activity["id"] == "A1"
    assert activity["budget"] == 25000000
    assert activity["category"] == "border-control"
    inferred = activity["x-inferred"]["category"]
    assert inferred["from"] == "purpose code 15190 and words"
    assert inferred["evidence"][0].startswith("purpose code 15190 Facilitation of orderly")
    # Control categories come from the text layer's frames, quoting the sentence that said it.
    assert any(e.startswith("title: '") and "border management" in e for e in inferred["evidence"])
    assert any("mobile border units" in e for e in inferred["evidence"])


def test_remittances_activity_v201():
    p = one("remittances-senegal-v2.01.xml")
    assert p["id"] == "XM-EXAMPLE-REM-2016-001"
    assert p["title"] == "Lowering remittance costs in the Senegal corridor"
    assert p["x-iati"]["version"] == "2.01"
    assert p["oda"]["purpose_codes"] == [
        {"code": 24050, "percentage": 80},
        {"code": 15190, "percentage": 20},
    ]
    # two original budgets summed; the second takes the activity's default currency
    assert p["budget"] == {
        "total": 2500000.5,
        "currency": "EUR",
        "x-budget-source": "original budgets",
        "x-value-date": "2016-01-01",
    }
    assert p["implementers"] == [
        {"name": "Transfert Rapide SA", "type": "private-sector", "x-iati-type": "72"},
        {"name": "Université Cheikh Anta Diop", "type": "research", "x-iati-type": "80"},
    ]
    assert p["gender_marker"] == 0
    assert "x-humanitarian" not in p  # no humanitarian attribute in 2.01: unknown
    assert "conditions" not in p  # no <conditions>: unknown, not "none"
    (activity,) = p["activities"]
    assert activity["category"] == "remittances"
    assert activity["x-inferred"]["category"] == {
        "from": "purpose code 24050",
        "evidence": [
            "purpose code 24050 Remittance facilitation, promotion and optimisation (80%)"
        ],
    }


def test_remittances_activity_in_french():
    p = one("remittances-senegal-v2.01.xml", lang="fr")
    assert p["title"] == "Réduire le coût des transferts de fonds vers le Sénégal"
    assert p["description"].startswith("Appui aux opérateurs de transfert")
    assert p["language"] == "fr"


def test_language_falls_back_to_the_default_then_the_first():
    p = one("eutf-border-niger-v2.03.xml", lang="nl")  # no Dutch: the activity's default (en)
    assert p["title"].startswith("Integrated border management")
    activity = ET.fromstring(
        "<iati-activity><iati-identifier>X-1</iati-identifier><title>"
        '<narrative xml:lang="es">Título</narrative><narrative xml:lang="pt">Título pt</narrative>'
        "</title></iati-activity>"
    )
    p = to_proposal(activity, lang="nl")
    assert p["title"] == "Título"  # neither requested nor default language: the first
    assert p["language"] == "es"


def test_refugee_hosting_activity_v202():
    p = one("refugee-hosting-uganda-v2.02.xml")
    assert p["title"] == "Support to refugees and host communities in northern Uganda"
    assert p["summary"] == "Improve the self-reliance of refugees and host communities."
    assert p["x-humanitarian"] is True
    assert p["gender_marker"] == 1
    # no budget element: the sum of the commitments (type 2), not the disbursement
    assert p["budget"] == {
        "total": 6500000,
        "currency": "USD",
        "x-budget-source": "commitment transactions",
        "x-value-date": "2018-03-01",
    }
    assert p["period"] == {
        "start": "2018-03-01",
        "x-start-type": "planned",
        "end": "2020-06-30",
        "x-end-type": "actual",
    }
    assert p["countries"] == [{"code": "UGA", "percentage": 100}]
    assert p["regions"] == ["South of Sahara, regional"]
    assert p["x-regions"] == [
        {"code": "289", "vocabulary": "1", "percentage": 100, "name": "South of Sahara, regional"}
    ]
    # 3-digit DAC sectors are kept apart, with the category names
    assert p["x-sector-categories"] == [
        {"code": "720", "percentage": 60, "name": "Emergency Response"},
        {"code": "160", "percentage": 40, "name": "Other Social Infrastructure & Services"},
    ]
    assert [c["code"] for c in p["oda"]["purpose_codes"]] == [72010, 16020]
    assert p["implementers"][0]["type"] == "un-agency"  # CRS channel 41121
    assert p["implementers"][1]["type"] == "local-ngo"  # partner-country NGO
    (activity,) = p["activities"]
    assert activity["category"] == "basic-services"  # the larger code, 72010 (material relief)
    inferred = activity["x-inferred"]["category"]
    assert inferred["from"] == "purpose code 72010"
    assert "title: 'host communit*'" in inferred["also"]["host-community-support"]


def test_conditions_not_attached_means_none():
    xml = (
        "<iati-activity><iati-identifier>X-2</iati-identifier><title><narrative>T</narrative>"
        '</title><conditions attached="0"/></iati-activity>'
    )
    assert to_proposal(ET.fromstring(xml))["conditions"] == []


def test_condition_links_from_words():
    xml = (
        "<iati-activity><iati-identifier>X-3</iati-identifier><title><narrative>T</narrative>"
        '</title><conditions attached="1">'
        '<condition type="2"><narrative>Irregular departures must fall by 30 per cent: '
        "reduce irregular departures and strengthen border management.</narrative></condition>"
        '<condition type="1"><narrative>Adoption of a national return policy.</narrative>'
        "</condition></conditions></iati-activity>"
    )
    performance, policy = to_proposal(ET.fromstring(xml))["conditions"]
    assert performance["type"] == "performance"
    assert performance["linked_to"] == ["border-control", "migration-reduction"]
    assert policy["linked_to"] == ["return"]


def test_no_evidence_no_category():
    xml = (
        "<iati-activity><iati-identifier>X-4</iati-identifier><title><narrative>Programme "
        'phase two</narrative></title><sector vocabulary="1" code="99810" percentage="100"/>'
        "</iati-activity>"
    )
    (activity,) = to_proposal(ET.fromstring(xml))["activities"]
    assert "category" not in activity
    assert "x-inferred" not in activity


def _category_of(title: str, codes: str = "", description: str = "") -> tuple:
    description = f"<description><narrative>{description}</narrative></description>"
    xml = (
        f"<iati-activity><iati-identifier>X-C</iati-identifier><title><narrative>{title}"
        f"</narrative></title>{description if description else ''}{codes}</iati-activity>"
    )
    (activity,) = to_proposal(ET.fromstring(xml))["activities"]
    inferred = activity.get("x-inferred", {}).get("category", {})
    return activity.get("category"), inferred.get("from")


def test_a_sector_codes_the_category_only_when_nothing_else_does():
    # DAC 11220 primary education: basic services; 31120 agricultural development: jobs.
    schools = '<sector vocabulary="1" code="11220" percentage="100"/>'
    assert _category_of("Phase two", schools) == ("basic-services", "purpose code 11220 (sector)")
    farms = '<sector code="31120" percentage="60"/><sector code="11220" percentage="40"/>'
    assert _category_of("Phase two", farms) == ("livelihoods-jobs", "purpose code 31120 (sector)")
    # words come first: a school-feeding code on a vocational-training text is jobs
    assert _category_of("Vocational training for young people", schools)[0] == "livelihoods-jobs"
    # 15190 may code border management as well as migration policy: no guess from it
    assert _category_of("Phase two", '<sector code="15190"/>') == (None, None)


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("Job creation and vocational training for young people", "livelihoods-jobs"),
        ("Werkgelegenheid en beroepsopleiding voor jongeren", "livelihoods-jobs"),
        ("Création d'emplois et formation professionnelle des jeunes", "livelihoods-jobs"),
        ("Drinking water and sanitation in rural health centres", "basic-services"),
        ("Drinkwater en sanitaire voorzieningen in gezondheidscentra", "basic-services"),
        ("Eau potable et assainissement dans les centres de santé", "basic-services"),
        ("Child protection and psychosocial support", "protection"),
        ("Kinderbescherming en psychosociale steun", "protection"),
        ("Protection de l'enfance et soutien psychosocial", "protection"),
        ("Drought resilience and natural resource management", "climate-adaptation"),
        ("Droogte en beheer van natuurlijke hulpbronnen", "climate-adaptation"),
        ("Sécheresse et gestion des ressources naturelles", "climate-adaptation"),
        ("Cash transfers and social protection systems", "social-protection"),
        ("Geldoverdrachten en sociale bescherming", "social-protection"),
        ("Transferts monétaires et protection sociale", "social-protection"),
        ("Rule of law and civil society", "governance-civic-space"),
        ("Rechtsstaat en maatschappelijk middenveld", "governance-civic-space"),
        ("État de droit et société civile", "governance-civic-space"),
        ("Birth registration and civil registry offices", "civil-registration"),
        ("Geboorteregistratie en burgerlijke stand", "civil-registration"),
        ("Enregistrement des naissances et état civil", "civil-registration"),
        ("Legal aid and legal representation for asylum seekers", "legal-aid"),
        ("Rechtsbijstand voor asielzoekers", "legal-aid"),
        ("Aide juridique aux demandeurs d'asile", "legal-aid"),
        ("Scholarships and student mobility", "student-mobility"),
        ("National migration strategy and migration policy", "migration-policy-support"),
        ("Stratégie nationale de migration et politique migratoire", "migration-policy-support"),
        ("Migration statistics and migration profiles", "migration-data"),
        ("Statistiques migratoires et profils migratoires", "migration-data"),
        ("Fair recruitment of migrant workers", "labour-mobility"),
        ("Recrutement équitable des travailleurs migrants", "labour-mobility"),
        ("Social cohesion and peaceful coexistence", "social-cohesion"),
        ("Cohésion sociale et coexistence pacifique", "social-cohesion"),
        ("Mid-term evaluation and audits of the programme", "other"),
        ("Curb the trafficking of human beings and the smuggling of migrants", "anti-trafficking"),
        ("Lutte contre la traite des êtres humains", "anti-trafficking"),
        ("Bestrijding van mensenhandel", "anti-trafficking"),
    ],
)
def test_words_code_what_the_money_buys(text, category):
    assert _category_of(text)[0] == category


@pytest.mark.parametrize(
    "text",
    [
        "Phase two of the programme",  # says nothing of what it buys
        "Fase twee van het programma",
        "Deuxième phase du programme",
        "Improved migration management",  # the fund's objective, not an activity
        "Amélioration de la gestion de la migration",
        "Learning in the partner's organisation",  # not vocational training
        "L'apprentissage au sein de l'organisation",
        "Reducing illegal wildlife trafficking",  # trafficking of wildlife, not of people
        "Airport security against illicit trafficking and terrorism",
    ],
)
def test_words_that_do_not_code_a_category(text):
    assert _category_of(text)[0] is None


def test_a_migration_category_wins_a_tie_and_host_communities_count_half():
    # one phrase each: the migration category named comes first
    assert _category_of("Reintegration of returnees and health care")[0] == (
        "voluntary-return-reintegration"
    )
    # "host communities" names whom a project serves: the services it buys decide
    text = "Health care for host communities"
    assert _category_of(text)[0] == "basic-services"


def test_migration_code_alone_is_not_a_category():
    xml = (
        "<iati-activity><iati-identifier>X-5</iati-identifier><title><narrative>Migration "
        'programme</narrative></title><sector code="15190"/></iati-activity>'
    )
    (activity,) = to_proposal(ET.fromstring(xml))["activities"]
    assert "category" not in activity  # 15190 without words: unclear, never guessed


def test_in_donor_refugee_costs_code():
    xml = (
        "<iati-activity><iati-identifier>X-6</iati-identifier><title><narrative>Reception"
        '</narrative></title><sector code="93011" percentage="100"/></iati-activity>'
    )
    (activity,) = to_proposal(ET.fromstring(xml))["activities"]
    assert activity["category"] == "other"
    assert activity["x-inferred"]["category"]["from"] == "purpose code 93011"


def test_words_only_category():
    (*_, last) = imported("broken-among-good-v2.03.xml")
    (activity,) = last.proposal["activities"]
    assert activity["category"] == "voluntary-return-reintegration"
    assert activity["x-inferred"]["category"]["from"] == "words"
    assert "title: 'voluntary return*'" in activity["x-inferred"]["category"]["evidence"]


def test_every_inferred_category_carries_evidence():
    for path in sorted(FIXTURES.glob("*.xml")):
        for item in iter_activities(path):
            if not isinstance(item, ImportedActivity):
                continue
            for activity in item.proposal["activities"]:
                if "category" in activity:
                    inferred = activity["x-inferred"]["category"]
                    assert inferred["from"]
                    assert inferred["evidence"], (path.name, item.identifier)


def test_elements_not_built_are_elements_the_mapping_never_reads(monkeypatch):
    # The importer builds only the elements in iati.READ; with every element built, every file
    # (the fixtures, IATI's examples, real publishers' files) maps to the same proposals.
    from pcd_screen.inputs import iati

    paths = sorted(FIXTURES.glob("*.xml")) + sorted(EXAMPLES.glob("*.xml"))
    paths += sorted((SHARED / "data" / "iati-real").glob("*.xml"))[:1]

    def everything(path):
        return [vars(item) for item in iter_activities(path)]

    pruned = {path: everything(path) for path in paths}
    monkeypatch.setattr(iati, "READ", None)
    for path in paths:
        assert everything(path) == pruned[path], path.name


def test_a_category_left_to_the_worker_is_the_category_read_at_once():
    # batch reads IATI files with defer_category and finishes each proposal where it is
    # screened (inputs.finish): the same proposals, line for line, as reading at once.
    from pcd_screen.inputs import iati

    paths = sorted(FIXTURES.glob("*.xml")) + sorted(EXAMPLES.glob("*.xml"))
    paths += sorted((SHARED / "data" / "iati-real").glob("*.xml"))[:1]
    for path in paths:
        whole = [vars(item) for item in iter_activities(path)]
        deferred = []
        for item in iter_activities(path, defer_category=True):
            if isinstance(item, ImportedActivity):
                assert iati.PENDING in item.proposal
                assert "category" not in item.proposal["activities"][0]
                item.proposal = iati.finish_category(item.proposal)
            deferred.append(vars(item))
        assert deferred == whole, path.name
    # Every category the importer infers is one the proposal schema allows: the proposal is
    # validated before its category is added.
    schema = json.dumps(load_schema("proposal"))
    inferable = {*iati.CODE_CATEGORIES.values(), *iati.FRAME_CATEGORIES}
    inferable |= set(iati.CONCEPT_CATEGORIES.values())
    assert all(f'"{category}"' in schema for category in inferable)


def test_unknown_country_code_is_reported_not_guessed():
    xml = (
        "<iati-activity><iati-identifier>X-7</iati-identifier><title><narrative>T</narrative>"
        '</title><recipient-country code="QQ" percentage="50"/>'
        '<recipient-country code="XK" percentage="50"/></iati-activity>'
    )
    p = to_proposal(ET.fromstring(xml))
    assert p["countries"] == [{"code": "XKX", "percentage": 50}]
    assert p["x-unmapped-countries"] == ["QQ"]
    assert any("QQ" in w for w in p["x-iati"]["warnings"])


def test_countries_and_sectors_from_transactions():
    xml = (
        "<iati-activity><iati-identifier>X-10</iati-identifier><title><narrative>T</narrative>"
        '</title><transaction><recipient-country code="ML"/><sector code="15190"/></transaction>'
        '<transaction><recipient-country code="ML"/><sector code="16020"/></transaction>'
        '<transaction><recipient-country code="NE"/></transaction></iati-activity>'
    )
    p = to_proposal(ET.fromstring(xml))
    assert p["countries"] == [{"code": "MLI"}, {"code": "NER"}]
    assert p["x-countries-from"] == "transactions (no percentages)"
    assert p["oda"]["purpose_codes"] == [{"code": 15190}, {"code": 16020}]
    assert p["oda"]["x-purpose-codes-from"] == "transactions (no percentages)"
    proposal_from_data(p)


def test_budget_in_several_currencies_is_left_out():
    xml = (
        '<iati-activity default-currency="EUR"><iati-identifier>X-8</iati-identifier><title>'
        '<narrative>T</narrative></title><budget type="1"><value>10</value></budget>'
        '<budget type="1"><value currency="USD">10</value></budget></iati-activity>'
    )
    p = to_proposal(ET.fromstring(xml))
    assert "budget" not in p
    assert any("several" in w for w in p["x-iati"]["warnings"])


def test_non_oda_flow():
    xml = (
        "<iati-activity><iati-identifier>X-9</iati-identifier><title><narrative>T</narrative>"
        '</title><default-flow-type code="20"/></iati-activity>'
    )
    assert to_proposal(ET.fromstring(xml))["oda"]["reported_as_oda"] is False


# --- every imported proposal validates ------------------------------------------------------------


def test_fixtures_import_and_validate():
    good = 0
    for name in (
        "eutf-border-niger-v2.03.xml",
        "remittances-senegal-v2.01.xml",
        "refugee-hosting-uganda-v2.02.xml",
        "broken-among-good-v2.03.xml",
    ):
        for item in imported(name):
            if isinstance(item, ImportedActivity):
                proposal_from_data(item.proposal, name=name)
                good += 1
    assert good == 8  # the two activities with a bad value are kept, with the problem


# --- errors -------------------------------------------------------------------------------------


def test_a_bad_value_is_a_problem_on_the_activity_never_a_dropped_activity():
    # As IATI's validator does it: the activity is read whole, the value that cannot be read
    # is left out and carried into the proposal (x-iati-problems) for the data-quality rules.
    items = imported("broken-among-good-v2.03.xml")
    assert all(isinstance(i, ImportedActivity) for i in items)
    assert [i.index for i in items] == [1, 2, 3, 4, 5]
    budget, day = items[1].proposal, items[3].proposal
    assert "budget" not in budget
    assert budget["x-iati-problems"] == [
        {
            "element": "value",
            "message": "budget value: '12,000,000 EUR' is not a number; left out",
            "line": 17,
            "reported": "12,000,000 EUR",
        }
    ]
    (problem,) = day["x-iati-problems"]
    assert "2020-13-45" in problem["message"] and problem["line"] == 29
    assert "period" not in day
    assert "x-iati-problems" not in items[0].proposal


def test_dates_codes_and_numbers_are_read_in_ascii_digits_and_quoted_cut(tmp_path):
    # date.fromisoformat took 20190101; float() took Arabic-Indic digits, '1_000' and 'nan'; a
    # 5,000-digit sector code or version was quoted whole in the warnings.
    path = tmp_path / "a.xml"
    path.write_text(
        f'<iati-activities version="2.0{"0" * 5000}"><iati-activity default-currency="EUR">'
        "<iati-identifier>XM-1</iati-identifier><title><narrative>T</narrative></title>"
        '<activity-date type="1" iso-date="20190101"/>'
        '<activity-date type="3" iso-date="\u0662\u0660\u0662\u0662-01-01"/>'
        '<sector vocabulary="1" code="\u0661\u0665\u0661\u0669\u0660" percentage="50"/>'
        f'<sector vocabulary="1" code="{"1" * 5000}" percentage="\u0665\u0660"/>'
        '<budget type="1"><value value-date="2019-01-01">1_000</value></budget>'
        "</iati-activity></iati-activities>\n",
        encoding="utf-8",
    )
    (item,) = iter_activities(path)
    proposal = item.proposal
    assert "period" not in proposal and "budget" not in proposal and "oda" not in proposal
    assert [p["message"] for p in proposal["x-iati-problems"]] == [
        "<sector> percentage '\u0665\u0660' is not a number; left out",
        "budget value: '1_000' is not a number; left out",
        "<activity-date> iso-date '20190101' is not a date (YYYY-MM-DD); left out",
        "<activity-date> iso-date '\u0662\u0660\u0662\u0662-01-01' is not a date (YYYY-MM-DD); "
        "left out",
    ]
    cut = f"'{'1' * 60}'… (5000 characters)"
    assert proposal["x-iati"]["warnings"] == [
        f"IATI version '2.0{'0' * 57}'… (5003 characters) is not 2.01-2.03; read as 2.03",
        "sector '\u0661\u0665\u0661\u0669\u0660' (vocabulary 1) is not a 5-digit DAC code; "
        "left out",
        f"sector {cut} (vocabulary 1) is not a 5-digit DAC code; left out",
    ]


def test_an_amount_beyond_the_proposal_format_bound_is_left_out_not_the_activity(tmp_path):
    # A value over 10^18 passed the importer and made the proposal invalid: the whole activity
    # was dropped ("does not validate: budget.total: number too large"), 511 of 5,000 in a file.
    budget = '<budget type="{}"><value currency="EUR" value-date="2019-01-01">{}</value></budget>'
    path = tmp_path / "a.xml"
    path.write_text(
        '<iati-activities version="2.03"><iati-activity default-currency="EUR">\n'
        "<iati-identifier>XM-1</iati-identifier><title><narrative>T</narrative></title>\n"
        + budget.format(1, "10000000000000000000")
        + "\n"
        + budget.format(1, "1e300")
        + "\n"
        + budget.format(2, "900000000000000000")
        + budget.format(2, "900000000000000000")
        + "\n</iati-activity></iati-activities>\n",
        encoding="utf-8",
    )
    (item,) = iter_activities(path)
    assert isinstance(item, ImportedActivity), item
    proposal = item.proposal
    assert [(p["message"], p["line"]) for p in proposal["x-iati-problems"]] == [
        ("budget value: '10000000000000000000' is more than 10^18; left out", 3),
        ("budget value: '1e300' is more than 10^18; left out", 4),
    ]
    # Revised budgets each under the bound but summing over it are no budget either (as a
    # negative sum: the budget is left out, not taken from the next source).
    assert "budget" not in proposal
    assert (
        "revised budgets sum to more than 10^18; budget left out"
        in (proposal["x-iati"]["warnings"])
    )


def test_a_currency_outside_iso_4217_is_a_problem_and_the_amount_is_not_converted(tmp_path):
    # currency="ZZZ" went into budget.currency without a word; the portfolio could not convert
    # it and no data-quality rule said why.
    path = tmp_path / "a.xml"
    path.write_text(
        '<iati-activities version="2.03"><iati-activity default-currency="EUR">\n'
        "<iati-identifier>XM-1</iati-identifier><title><narrative>T</narrative></title>\n"
        '<budget type="1"><value currency="zzz" value-date="2019-01-01">25</value></budget>\n'
        '<budget type="2"><value currency="eur" value-date="2019-01-01">30</value></budget>\n'
        "</iati-activity>\n"
        '<iati-activity default-currency="XYZ"><iati-identifier>XM-2</iati-identifier>\n'
        '<budget type="1"><value value-date="2019-01-01">40</value></budget>\n'
        "</iati-activity></iati-activities>\n",
        encoding="utf-8",
    )
    first, second = (item.proposal for item in iter_activities(path))
    assert first["x-iati-problems"] == [
        {
            "element": "value",
            "message": "<value> currency 'zzz' is not an ISO 4217 code (IATI Currency "
            "codelist); the amount is kept but not converted",
            "line": 3,
            "reported": "zzz",
        }
    ]
    assert first["budget"] == {
        "total": 25,
        "x-budget-source": "original budgets",
        "x-currency-reported": "ZZZ",
        "x-value-date": "2019-01-01",
    }
    assert first["x-money"]["budgets"][1]["currency"] == "EUR"  # a known code in lower case
    (problem,) = second["x-iati-problems"]
    assert problem["element"] == "iati-activity" and problem["line"] == 6
    assert problem["message"].startswith("<iati-activity> default-currency 'XYZ' is not an ISO")
    assert second["budget"]["total"] == 40 and "currency" not in second["budget"]


def test_malformed_file_gives_one_error():
    items = imported("malformed.xml")
    assert isinstance(items[-1], ImportErrorRecord)
    assert items[-1].index is None
    assert "not well-formed" in items[-1].message and items[-1].line == 11
    # the activity that ended before the error is kept, as it would be in a larger file
    assert [i.identifier for i in items[:-1]] == ["XM-MALFORMED-1"]


def test_not_an_activity_file(tmp_path):
    path = tmp_path / "org.xml"
    path.write_text('<iati-organisations version="2.03"><iati-organisation/></iati-organisations>')
    (error,) = iter_activities(path)
    assert isinstance(error, ImportErrorRecord) and "root is <iati-organisations>" in error.message


def test_version_1_file_is_read_with_its_own_codes(tmp_path):
    path = tmp_path / "old.xml"
    path.write_text(
        '<iati-activities version="1.05"><iati-activity default-currency="USD">'
        "<iati-identifier>XM-OLD-1</iati-identifier><title>Old style</title>"
        '<participating-org role="Funding">Donor agency</participating-org>'
        '<participating-org role="Implementing" type="21">An NGO</participating-org>'
        '<sector vocabulary="DAC" code="15190" percentage="100"/>'
        '<activity-date type="start-planned" iso-date="2012-01-01"/>'
        '<transaction><transaction-type code="C"/><value value-date="2012-01-01">1000</value>'
        "</transaction></iati-activity></iati-activities>"
    )
    (item,) = iter_activities(path)
    p = item.proposal
    assert p["title"] == "Old style"
    assert p["donor"] == "Donor agency"
    assert p["implementers"][0]["name"] == "An NGO"
    assert p["oda"]["purpose_codes"] == [{"code": 15190, "percentage": 100}]
    assert p["period"]["start"] == "2012-01-01"
    assert p["budget"]["total"] == 1000 and p["budget"]["currency"] == "USD"
    assert p["x-iati"]["version"] == "1.05" and p["x-iati"]["read-as"] == "1.0x"
    assert "participating-org/@role 'Funding' -> '1'" in p["x-iati"]["upgraded"]


@pytest.mark.parametrize("encoding", ["UTF-4", "shift_jis", "base64", "idna"])
def test_an_encoding_expat_cannot_read_is_one_error(tmp_path, encoding):
    # Found by fuzzing: the codec lookup's LookupError/ValueError escaped as a traceback.
    path = tmp_path / "enc.xml"
    path.write_text(
        f'<?xml version="1.0" encoding="{encoding}"?>\n<iati-activities version="2.03"/>'
    )
    (error,) = iter_activities(path)
    assert isinstance(error, ImportErrorRecord) and error.index is None
    assert error.message.startswith("cannot read the XML: ")
    assert error.message.endswith("(IATI files are UTF-8)")


def test_missing_file(tmp_path):
    (error,) = iter_activities(tmp_path / "nope.xml")
    assert isinstance(error, ImportErrorRecord) and "cannot read" in error.message


# --- hostile XML ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["hostile-billion-laughs.xml", "hostile-external-entity.xml"], ids=["laughs", "xxe"]
)
def test_hostile_xml_is_refused_without_expansion(name):
    tracemalloc.start()
    start = time.perf_counter()
    try:
        items = imported(name)
        _size, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - start < 2
    assert peak < 5_000_000  # 10^9 "lol"s would be gigabytes
    (error,) = items
    assert isinstance(error, ImportErrorRecord)
    assert error.message.startswith("refused: EntitiesForbidden")
    assert "root:" not in str(error)  # nothing of /etc/passwd leaked into the message


HEAD = '<?xml version="1.0"?>\n'
FINE = (
    " <iati-activity><iati-identifier>XM-OK-{n}</iati-identifier>"
    "<title><narrative>Fine</narrative></title></iati-activity>\n"
)


def _no_network(monkeypatch):
    import socket

    def refuse(*_args, **_kwargs):
        raise AssertionError("the importer tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def test_an_external_dtd_is_never_fetched_nor_read(tmp_path, monkeypatch):
    _no_network(monkeypatch)
    remote = tmp_path / "remote.xml"
    remote.write_text(
        HEAD + '<!DOCTYPE iati-activities SYSTEM "http://127.0.0.1:9/iati.dtd">\n'
        '<iati-activities version="2.03">\n' + FINE.format(n=1) + "</iati-activities>\n"
    )
    (item,) = iter_activities(remote)
    assert isinstance(item, ImportedActivity) and item.identifier == "XM-OK-1"
    # A local DTD is not read either: the entity it defines stays undefined.
    (tmp_path / "local.dtd").write_text('<!ENTITY secret "LEAKED">\n')
    local = tmp_path / "local.xml"
    local.write_text(
        HEAD + '<!DOCTYPE iati-activities SYSTEM "local.dtd">\n<iati-activities version="2.03">'
        "<iati-activity><iati-identifier>X</iati-identifier><title><narrative>&secret;"
        "</narrative></title></iati-activity></iati-activities>\n"
    )
    (error,) = iter_activities(local)
    assert isinstance(error, ImportErrorRecord) and "undefined entity &secret;" in error.message
    assert "LEAKED" not in str(error)


def test_a_parameter_entity_is_refused(tmp_path, monkeypatch):
    _no_network(monkeypatch)
    path = tmp_path / "pe.xml"
    path.write_text(
        HEAD + '<!DOCTYPE iati-activities [\n <!ENTITY % r SYSTEM "http://127.0.0.1:9/e.dtd">\n'
        ' %r;\n]>\n<iati-activities version="2.03">\n' + FINE.format(n=1) + "</iati-activities>\n"
    )
    (error,) = iter_activities(path)
    assert error.message.startswith("refused: EntitiesForbidden")


def _huge(path: Path, opening: str, closing: str, megabytes: int, words: int = 200_000) -> None:
    """An activity holding megabytes of words between opening and closing (a megabyte: 200,000
    words of five characters), then a fine one."""
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(HEAD + '<iati-activities version="2.03">\n<iati-activity>')
        handle.write("<iati-identifier>XM-HUGE-1</iati-identifier>\n" + opening)
        block = "word " * words
        for _ in range(megabytes):
            handle.write(block)
        handle.write(closing + "</iati-activity>\n" + FINE.format(n=2) + "</iati-activities>\n")


def test_a_50_mb_narrative_skips_its_activity_in_bounded_memory(tmp_path):
    path = tmp_path / "huge.xml"
    _huge(path, "<description><narrative>", "</narrative></description>", 50)
    list(iter_activities(FIXTURES / "eutf-border-niger-v2.03.xml"))  # load tables and lexicon
    tracemalloc.start()
    start = time.perf_counter()
    try:
        huge, fine = iter_activities(path)
        _size, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - start < 5  # about 0.5 s
    assert peak < 20_000_000  # the 5 MiB kept of the text, not the 50 MB
    assert str(huge) == (
        f"{path}:3: activity 1 (XM-HUGE-1): the text in <narrative> at line 4 is longer than the "
        "limit of 5242880 characters (raise it with --max-file-size or the max_file_size "
        "setting); activity skipped"
    )
    assert isinstance(fine, ImportedActivity) and fine.identifier == "XM-OK-2"  # the file goes on


def test_the_text_limit_is_configurable(tmp_path):
    # Half a million characters: a proposal holds at most MAX_TEXT_CHARS of text in all, and
    # the narrative is read into more than one field.
    path = tmp_path / "long.xml"
    _huge(path, "<description><narrative>", "</narrative></description>", 1, words=100_000)
    skipped, _fine = iter_activities(path, max_text=499_999)
    assert "longer than the limit of 499999 characters" in str(skipped)
    whole, _fine = iter_activities(path, max_text=500_000)
    assert len(whole.proposal["description"]) == 499_999  # whitespace-normalised words


@pytest.mark.parametrize(
    ("opening", "closing"),
    [('<title><narrative xml:lang="', '">x</narrative></title>'), ("<!-- ", " -->")],
    ids=["attribute", "comment"],
)
def test_a_huge_tag_or_comment_stops_the_file_in_bounded_memory(tmp_path, opening, closing):
    path = tmp_path / "huge.xml"
    _huge(path, opening, closing, 4)
    tracemalloc.start()
    try:
        items = list(iter_activities(path, max_text=500_000))
        _size, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 5_000_000  # the parser holds a tag whole: stopped soon after the limit
    (error,) = items
    assert error.index is None and error.line == 4  # where the tag or comment starts
    assert "a single tag, comment or declaration is longer than the limit of 500000" in str(error)


def test_text_between_activities_is_bounded_too(tmp_path):
    path = tmp_path / "stray.xml"
    path.write_text(
        HEAD
        + '<iati-activities version="2.03">\n'
        + "x" * 2000
        + FINE.format(n=1)
        + "</iati-activities>\n"
    )
    stray, fine = iter_activities(path, max_text=1000)
    assert stray.index is None and "the text in <iati-activities> at line 3" in stray.message
    assert isinstance(fine, ImportedActivity)


@pytest.mark.skipif(not hasattr(__import__("os"), "mkfifo"), reason="no FIFOs here")
def test_a_fifo_is_refused_without_blocking(tmp_path):
    import os

    fifo = tmp_path / "feed.xml"
    os.mkfifo(fifo)
    (error,) = iter_activities(fifo)
    assert "cannot read the file: it is a FIFO (named pipe), not a regular file" in str(error)


# --- the official IATI examples -------------------------------------------------------------------


def test_official_examples_import_and_validate():
    if not EXAMPLES.is_dir():
        pytest.skip(f"official IATI examples not present at {EXAMPLES} (../shared is not mounted)")
    files = sorted(EXAMPLES.glob("*.xml"))
    assert files
    for path in files:
        items = list(iter_activities(path))
        assert items, path.name
        for item in items:
            assert isinstance(item, ImportedActivity), str(item)
            proposal_from_data(item.proposal, name=path.name)


def test_official_annotated_example_fields():
    path = EXAMPLES / "activity-standard-example-annotated.xml"
    if not path.is_file():
        pytest.skip(f"official IATI example not present at {path} (../shared is not mounted)")
    (item,) = iter_activities(path, lang="fr")
    p = item.proposal
    assert p["id"] == "AA-AAA-123456789-ABC123"
    assert p["title"] == "Titre de l'activité"
    assert p["countries"] == [{"code": "AFG", "percentage": 25}, {"code": "ATG", "percentage": 25}]
    assert p["regions"] == ["South America, regional"]
    assert p["budget"]["x-budget-source"] == "original budgets"
    assert p["conditions"][0]["type"] == "policy"
    assert p["conditions"][0]["text"] == "Conditions texte"
    assert p["x-humanitarian"] is True
    assert p["oda"]["reported_as_oda"] is True
    assert "gender_marker" not in p  # only markers 2 and 9 are given


def test_schema_test_examples_without_identifier_get_a_marked_id():
    path = EXAMPLES / "schemas-test-43-conditions-no-conditions.xml"
    if not path.is_file():
        pytest.skip(f"official IATI example not present at {path} (../shared is not mounted)")
    (item,) = iter_activities(path)
    assert item.proposal["id"] == "schemas-test-43-conditions-no-conditions-activity-1"
    assert item.proposal["conditions"] == []
    assert any("no iati-identifier" in w for w in item.warnings)


# --- streaming: memory stays flat ---------------------------------------------------------------


ACTIVITY = """ <iati-activity xml:lang="en" default-currency="EUR">
  <iati-identifier>XM-GEN-{n}</iati-identifier>
  <title><narrative>Border management and remittances programme {n}</narrative>
   <narrative xml:lang="fr">Programme {n}</narrative></title>
  <description type="1"><narrative>Activity {n} supports integrated border management, mobile
   money for remittances and host communities in the region, with training and equipment.
  </narrative></description>
  <participating-org role="1" type="10"><narrative>Donor {n}</narrative></participating-org>
  <participating-org role="4" type="21"><narrative>NGO {n}</narrative></participating-org>
  <activity-date iso-date="2020-01-01" type="1"/><activity-date iso-date="2022-12-31" type="3"/>
  <recipient-country code="NE" percentage="60"/><recipient-country code="ML" percentage="40"/>
  <sector vocabulary="1" code="15190" percentage="70"/>
  <sector vocabulary="1" code="24050" percentage="30"/>
  <budget type="1"><value>{n}000</value></budget>
  <conditions attached="1"><condition type="1"><narrative>Readmission of nationals {n}
  </narrative></condition></conditions>
 </iati-activity>
"""


def _generate(path: Path, count: int) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        handle.write('<?xml version="1.0"?>\n<iati-activities version="2.03">\n')
        for n in range(count):
            handle.write(ACTIVITY.format(n=n))
        handle.write("</iati-activities>\n")


def test_memory_stays_flat(tmp_path):
    path = tmp_path / "generated.xml"
    _generate(path, 700)
    list(iter_activities(FIXTURES / "eutf-border-niger-v2.03.xml"))  # load tables and lexicon
    tracemalloc.start()
    try:
        count = 0
        for item in iter_activities(path):
            assert isinstance(item, ImportedActivity), str(item)
            count += 1
            if count == 300:
                # by now the lexicon's bounded caches of recent texts are full. Memory held, not
                # the peak: a peak is one long text being read, whatever came before it.
                first = tracemalloc.get_traced_memory()[0]
        rest = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert count == 700
    # the last 400 activities need no more memory than the first 300: nothing accumulates
    assert rest < first + 200_000, (first, rest)
    assert rest < 4_000_000  # mostly the lexicon's caches of the last few hundred texts


# --- the derived table --------------------------------------------------------------------------


def test_iati_tables_attribution():
    data = tables()
    assert data["attribution"] == "IATI Standard (http://iatistandard.org/), CC BY 4.0"
    assert {s["codelist"] for s in data["sources"]} >= {"OrganisationType", "Region"}
    assert all(len(s["commit"]) == 40 for s in data["sources"])
    assert data["condition_types"]["1"]["en"] == "Policy"
    assert data["regions"]["289"]["en"] == "South of Sahara, regional"
    assert data["currencies"]["XOF"]["en"] == "CFA Franc BCEAO"


def test_iati_tables_are_reproducible(tmp_path):
    if not (CODELISTS / "OrganisationType.xml").is_file():
        pytest.skip(f"IATI codelists not present at {CODELISTS}; cannot re-derive")
    out = tmp_path / "iati_tables.json"
    subprocess.run(
        [
            sys.executable,
            str(REPO / "scripts" / "derive_iati_tables.py"),
            str(SHARED / "data"),
            "--out",
            str(out),
        ],
        check=True,
    )
    assert out.read_bytes() == (REPO / "pcd_screen" / "data" / "iati_tables.json").read_bytes()


# --- real activities (tests/fixtures/iati/README.md) --------------------------------------------

REAL = "real-watchdog-v2.03.xml"


def real(identifier: str) -> dict:
    for item in imported(REAL):
        if item.identifier == identifier:
            return item.proposal
    raise AssertionError(identifier)


def test_iom_reporting_and_accountable_is_the_implementer():
    p = real("XM-DAC-47066-CD.0033")
    (iom,) = p["implementers"]
    assert iom["name"] == "International Organization for Migration (IOM)"
    assert iom["x-iati-ref"] == "XM-DAC-47066"
    assert "role 2 (accountable) is the reporting organisation" in iom["x-inferred"]["from"]
    assert {"role": "funding", "name": "United Nations Human Settlements Program"}.items() <= (
        p["x-iati-roles"][1].items()
    )
    assert p["x-reporting-org"]["ref"] == "XM-DAC-47066"


def test_a_donor_agency_extending_is_not_taken_as_implementer():
    activity = ET.fromstring(
        "<iati-activity><iati-identifier>X-1</iati-identifier><title><narrative>T</narrative>"
        '</title><reporting-org ref="XX-1" type="10"><narrative>Ministry</narrative>'
        '</reporting-org><participating-org ref="XX-1" role="3" type="10"><narrative>Ministry'
        "</narrative></participating-org></iati-activity>"
    )
    assert "implementers" not in to_proposal(activity)


def test_eutf_contract_budget_of_zero_is_no_budget():
    p = real("XI-IATI-EC_INTPA_EUTF_AFRICA_T05.1202_759")
    assert "budget" not in p and "budget" not in p["activities"][0]
    assert "original budgets of 0 reported: treated as no budget" in p["x-iati"]["warnings"]
    assert p["x-money"]["budgets"][0]["value"] == 0  # what was published stays visible


def test_money_by_period_with_value_dates():
    p = real("XM-OCHA-CBPF-TUR-20/3559/SA1/P/NGO/16220")
    assert p["budget"]["total"] == 430677.78 and p["budget"]["x-value-date"] == "2020-06-29"
    assert [b["start"] for b in p["x-money"]["budgets"]] == ["2020-07-01", "2021-01-01"]
    assert p["x-money"]["commitments"][0]["currency"] == "USD"


def test_out_of_range_percentage_keeps_the_activity(tmp_path):
    path = tmp_path / "pct.xml"
    path.write_text(
        '<iati-activities version="2.03"><iati-activity default-currency="EUR">'
        "<iati-identifier>X-PCT</iati-identifier><title><narrative>T</narrative></title>\n"
        '<sector vocabulary="1" code="15190" percentage="102"/>\n'
        '<sector vocabulary="1" code="16020" percentage="500"/>'
        '<budget type="1"><value value-date="2020-01-01">1000</value></budget>'
        "</iati-activity></iati-activities>"
    )
    (item,) = iter_activities(path)
    p = item.proposal
    assert p["oda"]["purpose_codes"] == [{"code": 15190}, {"code": 16020}]
    assert [(x["line"], x["reported"]) for x in p["x-iati-problems"]] == [(2, "102"), (3, "500")]
    proposal_from_data(p)


def test_version_less_file_with_1x_codes_is_read_as_1x(tmp_path):
    # AidData style: no version anywhere, 1.0x roles and vocabularies.
    path = tmp_path / "aiddata.xml"
    path.write_text(
        '<iati-activities><iati-activity default-currency="USD">'
        "<iati-identifier>XX-AIDDATA-1</iati-identifier><title>Old</title>"
        '<participating-org role="Funding">China Eximbank</participating-org>'
        '<sector vocabulary="DAC" code="15190"/>'
        '<budget><value value-date="2010-01-01">5000</value></budget>'
        "</iati-activity></iati-activities>"
    )
    (item,) = iter_activities(path)
    p = item.proposal
    assert p["donor"] == "China Eximbank"
    assert p["oda"]["purpose_codes"] == [{"code": 15190}]
    assert p["budget"]["total"] == 5000
    assert p["x-iati"]["read-as"] == "1.0x"
    assert "no IATI version given; 1.0x codes found, read as 1.0x" in p["x-iati"]["warnings"]


def test_findings_cite_the_iati_element_and_line():
    from pcd_screen import inputs
    from pcd_screen.engine.refdata import load_refdata
    from pcd_screen.engine.ruleset import load_ruleset
    from pcd_screen.engine.session import Session

    session = Session(load_ruleset(), load_refdata(), __import__("datetime").date(2021, 1, 1))
    (proposal,) = [
        p
        for p in inputs.proposals(str(FIXTURES / "eutf-border-niger-v2.03.xml"))
        if not isinstance(p, str)
    ]
    result = session.screen(proposal)
    cited = {e.path: (e.line, e.element) for f in result.findings for e in f.evidence}
    # border-control was read from the words (15190 alone does not decide): the title is cited
    assert cited["activities[0].category"] == (8, "<title> line 8")
    line, element = cited["facts.dominant_category"]
    assert element == "derived from activities (<title> line 8, <description> line 12)"


def test_placeholder_dates_are_problems_not_dates(tmp_path):
    path = tmp_path / "dates.xml"
    path.write_text(
        '<iati-activities version="2.03"><iati-activity>'
        "<iati-identifier>X-DATES</iati-identifier><title><narrative>T</narrative></title>\n"
        '<activity-date type="1" iso-date="1900-01-01"/>\n'
        '<activity-date type="3" iso-date="2051-12-31"/>'
        "</iati-activity></iati-activities>"
    )
    (item,) = iter_activities(path)
    p = item.proposal
    assert p["period"] == {"end": "2051-12-31", "x-end-type": "planned"}  # a loan may end late
    (problem,) = p["x-iati-problems"]
    assert problem["line"] == 2 and "placeholder" in problem["message"]


@pytest.mark.parametrize(
    "element, instrument",
    [
        ('<default-aid-type code="A02"/>', "Sector budget support (A02)"),
        ('<default-aid-type code="C01" vocabulary="1"/>', "Project-type interventions (C01)"),
        ('<default-aid-type code="1" vocabulary="2"/>', None),  # another vocabulary
        ("", None),
    ],
)
def test_the_default_aid_type_is_the_funding_instrument(tmp_path, element, instrument):
    path = tmp_path / "aid.xml"
    path.write_text(
        '<iati-activities version="2.03"><iati-activity>'
        "<iati-identifier>XM-AID-1</iati-identifier><title><narrative>Wells</narrative></title>"
        f"{element}</iati-activity></iati-activities>"
    )
    (item,) = iter_activities(path)
    assert item.proposal.get("instrument") == instrument


def test_purpose_code_categories_follow_the_dac_list():
    """Each code that decides a category by itself is in the DAC list the project ships, and
    its category is the vocabulary's term for what the code covers: 72010 (material relief:
    shelter, water, food, non-food items, medical supplies) is basic services, not protection."""
    from pcd_screen.core.vocabularies import vocabularies
    from pcd_screen.engine.refdata import load_refdata
    from pcd_screen.inputs.iati import CODE_CATEGORIES, WORD_CODES, coding_rules

    assert CODE_CATEGORIES["72010"] == "basic-services"
    names = {code: load_refdata().purpose_code(code) for code in (*CODE_CATEGORIES, *WORD_CODES)}
    assert [code for code, entry in names.items() if entry is None] == []
    assert set(CODE_CATEGORIES.values()) <= set(vocabularies()["category"])
    assert names["72010"]["name"]["en"] == "Material relief assistance and services"
    assert names["16020"]["name"]["en"] == "Employment creation"
    assert names["16010"]["name"]["en"] == "Social Protection"
    assert names["24050"]["name"]["en"].startswith("Remittance facilitation")
    assert all(
        names[str(c)]["name"]["en"].startswith("Refugees/asylum") for c in range(93010, 93019)
    )
    # the coding rule the portfolio report publishes says the same
    rules = coding_rules("en")
    assert rules["basic-services"].startswith("purpose code 72010 (decides by itself) or ")
    assert "purpose code beginning 111, 112" in rules["basic-services"]


def test_category_words_are_vocabulary_terms_in_every_language():
    import yaml

    from pcd_screen.core.paths import DATA_DIR
    from pcd_screen.core.vocabularies import vocabularies

    terms = set(vocabularies()["category"])
    keys = {}
    for lang in ("en", "nl", "fr"):
        data = yaml.safe_load((DATA_DIR / "category_words" / f"{lang}.yaml").read_text("utf-8"))
        assert set(data) <= terms, lang
        assert all(data.values()), lang
        keys[lang] = list(data)
    assert keys["en"] == keys["nl"] == keys["fr"]  # the same tie order everywhere
    from pcd_screen.inputs.iati import category_word_terms

    assert category_word_terms() == keys["en"]
    # the words never reach a screening's lexicon (its start-up does not carry them)
    from pcd_screen.engine.ruleset import load_lexicon

    assert not set(keys["en"]) & set(load_lexicon()[0].raw)
