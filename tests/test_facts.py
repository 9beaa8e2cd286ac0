from datetime import date

import pytest

from pcd_screen.engine.facts import FACT_DOCS, FACT_NAMES, compute_facts

AS_OF = date(2026, 11, 23)

FULL = {
    "budget": {"total": 1000},
    "period": {"start": "2026-01-01", "end": "2028-12-31"},
    "countries": [{"code": "NER", "percentage": 60}, {"code": "TUN", "percentage": 40}],
    "oda": {
        "purpose_codes": [
            {"code": 15190, "percentage": 70},
            {"code": 99999, "percentage": 20},
            {"code": 1513010, "percentage": 10},
        ]
    },
    "activities": [
        {"category": "border-control", "budget": 500},
        {"category": "detention", "budget": 100},
        {"category": "basic-services", "budget": 300},
        {"category": "military", "budget": 50},
    ],
    "results": [{"indicators": [{"measures": "irregular-departures"}, {"measures": "income"}]}],
    "in_donor_refugee_costs": {"amount": 10, "months": 18},
    "target_groups": ["migrants"],
}


def values(data, refdata):
    return {name: fact.value for name, fact in compute_facts(data, refdata, AS_OF).items()}


def test_every_fact_is_documented_and_computed(fake_refdata):
    assert set(values(FULL, fake_refdata)) == FACT_NAMES == set(FACT_DOCS)


def test_budget_and_category_facts(fake_refdata):
    facts = values(FULL, fake_refdata)
    assert facts["total_budget"] == 1000
    assert facts["activity_budget_sum"] == 950
    assert facts["activity_budget_exceeds_total"] is False
    assert facts["category_shares"]["border-control"] == 0.5
    assert facts["dominant_category"] == "border-control"
    assert facts["migration_control_share"] == 0.6
    assert facts["coercive_share"] == 0.65
    assert facts["duration_months"] == 36
    assert facts["end_before_start"] is False


def test_country_facts_use_reference_lists(fake_refdata):
    facts = values(FULL, fake_refdata)
    assert facts["ldc_share"] == 0.6 and facts["ldc_countries"] == ["NER"]
    assert facts["non_dac_share"] == 0.0 and facts["non_dac_countries"] == []
    assert facts["free_movement_countries"] == ["NER"]
    assert facts["country_percentage_sum"] == 100


def test_uncertain_reference_data_makes_the_share_unknown(fake_refdata):
    facts = compute_facts({"countries": [{"code": "BGD", "percentage": 100}]}, fake_refdata, AS_OF)
    assert facts["ldc_share"].value is None
    assert facts["ldc_share"].missing == [("countries", 0, "code")]


def test_measure_and_code_facts(fake_refdata):
    facts = values(FULL, fake_refdata)
    assert facts["uses_migration_reduction_measures"] is True
    assert facts["only_migration_reduction_measures"] is False
    assert facts["unknown_purpose_codes"] == [99999]
    assert facts["non_oda_purpose_codes"] == [1513010]
    assert facts["purpose_code_percentage_sum"] == 100
    assert facts["in_donor_refugee_months"] == 18
    assert facts["migration_related"] is True


def test_a_migration_reduction_fact_is_derived_from_the_indicators_that_measure_it(fake_refdata):
    # A finding on it points at the indicator, not at the top of the results (line 69 of the
    # budget-support example, 9 lines above the readmission indicator).
    facts = compute_facts(FULL, fake_refdata, AS_OF)
    assert facts["uses_migration_reduction_measures"].sources == [
        ("results", 0, "indicators", 0, "measures")
    ]
    assert facts["only_migration_reduction_measures"].sources == [("results",)]


def test_inconsistencies_are_facts_not_errors(fake_refdata):
    data = {
        "budget": {"total": 100},
        "activities": [{"category": "other", "budget": 150}],
        "period": {"start": "2027-01-01", "end": "2026-01-01"},
        "countries": [{"code": "NER", "percentage": 70}],
    }
    facts = values(data, fake_refdata)
    assert facts["activity_budget_exceeds_total"] is True
    assert facts["end_before_start"] is True
    assert facts["duration_months"] == 0
    assert facts["country_percentage_sum"] == 70


def test_empty_proposal_has_unknown_facts_naming_fields(fake_refdata):
    facts = compute_facts({}, fake_refdata, AS_OF)
    assert facts["total_budget"].value is None
    assert facts["total_budget"].missing == [("budget", "total")]
    assert facts["ldc_share"].missing == [("countries",)]
    assert facts["migration_related"].value is None
    assert facts["duration_months"].missing == [("period", "start"), ("period", "end")]


def test_single_country_without_percentage_counts_whole(fake_refdata):
    facts = values({"countries": [{"code": "NER"}]}, fake_refdata)
    assert facts["ldc_share"] == 1.0


def test_not_migration_related_from_stated_categories_or_enough_text(fake_refdata):
    data = {"activities": [{"category": "climate-adaptation"}], "target_groups": ["women"]}
    assert values(data, fake_refdata)["migration_related"] is False
    # A stated category settles it; almost no text and nothing stated leaves it unknown.
    assert (
        values({"activities": [{"category": "climate-adaptation"}]}, fake_refdata)[
            "migration_related"
        ]
        is False
    )
    assert values({"title": "Contract 2020/417"}, fake_refdata)["migration_related"] is None
    water = {
        "language": "en",
        "description": "Rural water points and hygiene promotion in "
        "twelve districts of Malawi, with district councils and water user committees.",
    }
    assert values(water, fake_refdata)["migration_related"] is False


def test_protection_or_civil_registration_alone_is_not_migration(fake_refdata):
    # The vocabulary defines both for everyone at risk or resident: a gender-based-violence
    # desk for women is protection, not migration; for migrants it is both.
    for category in ("protection", "civil-registration"):
        alone = {"activities": [{"category": category}], "target_groups": ["women"]}
        assert values(alone, fake_refdata)["migration_related"] is False
        for_migrants = {"activities": [{"category": category}], "target_groups": ["migrants"]}
        assert values(for_migrants, fake_refdata)["migration_related"] is True
    legal_aid = {"activities": [{"category": "legal-aid"}], "target_groups": ["women"]}
    assert values(legal_aid, fake_refdata)["migration_related"] is True  # defined for migrants


@pytest.mark.parametrize(
    ("lang", "text", "related"),
    [
        ("en", "Jobs for young people to address the root causes of irregular migration.", True),
        (
            "nl",
            "Banen voor jongeren om de grondoorzaken van irreguliere migratie aan te pakken.",
            True,
        ),
        (
            "fr",
            "Des emplois pour s'attaquer aux causes profondes de la migration irrégulière.",
            True,
        ),
        (
            "en",
            "Health care for refugees and host communities in Gambella. Refugees take part.",
            True,
        ),
        # one group in a list of vulnerable groups, and a negated mention: not the subject
        (
            "en",
            "Support to survivors of violence, people with disabilities, IDPs, widows and "
            "older people in Gaza, with cash and home visits by trained social workers.",
            False,
        ),
        ("en", "This rural water project does not target migrants or refugees in any way.", False),
        # refugees or displaced people and the communities that host them, served together,
        # in one sentence of a longer text; not when a passing marker makes them one item of a list
        (
            "en",
            "The overall objective is to strengthen district councils in delivering basic social "
            "services and to enable greater self-reliance among both refugee and host communities "
            "in the districts of West Nile, with a focus on water, schools and roads.",
            True,
        ),
        (
            "nl",
            "Het programma versterkt de districtsraden bij het leveren van basisdiensten en de "
            "zelfredzaamheid van vluchtelingen en hun gastgemeenschappen in West-Nijl, met "
            "aandacht voor water, scholen en wegen.",
            True,
        ),
        (
            "fr",
            "L'objectif est de renforcer les conseils de district dans la fourniture des services "
            "de base et l'autonomie des personnes déplacées et des communautés d'accueil de la "
            "région, avec un accent sur l'eau, les écoles et les routes.",
            True,
        ),
        (
            "en",
            "The COVID-19 response involves many stakeholders including central and local "
            "government, development partners, private companies, civil society, host and "
            "migrant communities, and district health teams in all twelve districts.",
            False,
        ),
        (
            "nl",
            "De covid-19-respons betrekt veel partners, waaronder de centrale en lokale overheid, "
            "ontwikkelingspartners, bedrijven, het middenveld, gastgemeenschappen en migranten, "
            "en de districtsgezondheidsteams in alle twaalf districten.",
            False,
        ),
        (
            "fr",
            "La riposte à la COVID-19 associe de nombreux acteurs dans les douze districts, "
            "notamment l'administration, les partenaires, la société civile, les communautés "
            "d'accueil et les migrants, et les équipes de santé des districts.",
            False,
        ),
        # migrants as the head of a phrase whose own list follows (of countries): not an item
        (
            "en",
            "The region is a crossroads for migrants from Niger, Chad and Sudan, many of whom "
            "work here for months. Migrants living in the three towns use the health centres. "
            "The municipalities will repair the water network, pave the market roads and train "
            "the staff of the district hospital in emergency care, maternal health and "
            "the management of medicines over the four years of the programme.",
            True,
        ),
        (
            "nl",
            "De regio is een kruispunt voor migranten uit Niger, Tsjaad en Soedan, van wie velen "
            "maanden blijven. Migranten in de drie gemeenten gebruiken de gezondheidscentra. "
            "De gemeenten herstellen het waternet, verharden de marktwegen en leiden het "
            "personeel van het districtsziekenhuis op in spoedzorg, moederzorg en het beheer "
            "van geneesmiddelen gedurende de vier jaar van het programma.",
            True,
        ),
        (
            "fr",
            "La région est un carrefour pour les migrants venus du Niger, du Tchad et du Soudan, "
            "qui y restent des mois. Les migrants des trois communes utilisent les centres "
            "de santé. "
            "Les communes répareront le réseau d'eau, paveront les routes du marché et formeront "
            "le personnel de l'hôpital de district aux urgences, à la santé maternelle et à la "
            "gestion des médicaments pendant les quatre années du programme.",
            True,
        ),
        # people's crossings restricted: passes refused, crossings kept for holders of papers
        (
            "en",
            "The market will be rebuilt next to the post. From 2027 the crossing will be "
            "reserved for holders of a valid passport and a registered trader card.",
            True,
        ),
        (
            "nl",
            "De markt wordt naast de post herbouwd. Vanaf 2027 worden de grenspassen van de "
            "districten aan de grensovergang niet langer aanvaard.",
            True,
        ),
        (
            "fr",
            "Le marché sera reconstruit près du poste. À partir de 2027, le passage sera réservé "
            "aux titulaires d'un passeport valide et d'une carte de commerçant enregistrée.",
            True,
        ),
        (
            "en",
            "The market will be rebuilt next to the post, with stalls reserved for women traders "
            "and a warehouse for the cooperative.",
            False,
        ),
        # a list made of displaced groups only is the target group, not one group among many
        ("en", "Target groups: IDPs,Refugees,Returnees", True),
        ("nl", "Doelgroepen: ontheemden, vluchtelingen, terugkeerders", True),
        ("fr", "Groupes cibles : déplacés, réfugiés, rapatriés", True),
        (
            "en",
            "Target groups: infants, children, elderly people, pregnant women, people with "
            "disabilities, female-headed households, IDPs and farmers in the district.",
            False,
        ),
    ],
)
def test_migration_related_from_the_text(lang, text, related, fake_refdata):
    facts = compute_facts({"language": lang, "description": text}, fake_refdata, AS_OF)
    assert facts["migration_related"].value is bool(related)
    assert bool(facts["migration_reasons"].value) is bool(related)


@pytest.mark.parametrize(
    ("where", "related"),
    [("indicator", True), ("description", False)],
)
def test_people_leaving_to_work_count_for_scope_only_in_an_indicator(where, related, fake_refdata):
    counted = "Number of young people from the villages leaving each year to work in Thailand"
    data = {"language": "en", "title": "Rural youth skills", "description": "Training in trades."}
    if where == "indicator":
        data["results"] = [{"statement": "Youth find work.", "indicators": [{"name": counted}]}]
    else:
        data["description"] += " " + counted + ", as the villages report, is high."
    facts = compute_facts(data, fake_refdata, AS_OF)
    assert facts["migration_related"].value is related


def test_categories_from_fields_and_text_whatever_the_budget(fake_refdata):
    data = {
        "language": "en",
        "description": "The project will finance the construction of a detention centre.",
        "activities": [{"category": "protection"}],
    }
    facts = values(data, fake_refdata)
    assert facts["categories"] == ["detention", "protection"]
    assert facts["category_shares"] is None  # no budget: categories, but no shares
