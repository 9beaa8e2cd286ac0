"""Facts derived once per proposal: budget shares, durations, LDC and DAC-list shares, ...

Each fact is computed from named fields; when a field it needs is absent the fact is unknown
(value None) and lists what is missing, so rules that use it answer "unclear".
"""

from __future__ import annotations

from datetime import date

from pcd_screen.core.i18n import N_

MIGRATION_CONTROL = (
    "border-control",
    "maritime-interception",
    "surveillance-equipment",
    "detention",
    "forced-return",
    "readmission-cooperation",
    "anti-smuggling-enforcement",
    "deterrence-campaign",
)
COERCIVE = (*MIGRATION_CONTROL, "military", "security-forces-equipment")
MIGRATION_REDUCTION_MEASURES = (
    "irregular-departures",
    "arrivals-in-donor-country",
    "returns-executed",
    "interceptions",
    "readmission-rate",
    "border-apprehensions",
)
# Activity categories that make a project migration-related in the sense of the sources.
MIGRATION_CATEGORIES = (
    *MIGRATION_CONTROL,
    "anti-trafficking",
    "migration-policy-support",
    "civil-registration",
    "migration-data",
    "legal-pathways-information",
    "legal-aid",
    "protection",
    "refugee-livelihoods",
    "host-community-support",
    "durable-solutions",
    "voluntary-return-reintegration",
    "labour-mobility",
    "circular-migration",
    "student-mobility",
    "skills-recognition",
    "remittances",
    "diaspora-engagement",
    "regional-free-movement",
)
# Of those, the ones that make a project migration-related by themselves: the vocabulary
# defines protection and civil registration for everyone at risk or resident (gender-based
# violence, birth registration), so they need migrant target groups or text to say so.
SCOPE_CATEGORIES = tuple(
    c for c in MIGRATION_CATEGORIES if c not in ("protection", "civil-registration")
)
MIGRANT_GROUPS = (
    "migrants",
    "refugees",
    "asylum-seekers",
    "idps",
    "returnees",
    "unaccompanied-minors",
    "trafficking-victims",
    "diaspora",
)
# 15190 migration, 15136 immigration, 93010-93018 in-donor refugee costs, 24050 remittances.
MIGRATION_PURPOSE_CODES = (15190, 15136, 24050, *range(93010, 93019))


# A plain class, not a dataclass: made at import on every run (bench/README.md, "Start-up").
class Fact:
    __slots__ = ("value", "sources", "missing")

    def __init__(self, value: object, sources=None, missing=None):
        self.value = value
        self.sources: list[tuple] = sources or []  # proposal paths it was derived from
        self.missing: list[tuple] = missing or []  # paths whose absence made it unknown

    def __eq__(self, other):
        return isinstance(other, Fact) and (self.value, self.sources, self.missing) == (
            other.value,
            other.sources,
            other.missing,
        )

    def __repr__(self):
        return f"Fact({self.value!r}, {self.sources!r}, {self.missing!r})"


FACT_DOCS: dict[str, str] = {
    "total_budget": N_("total budget"),
    "currency": N_("currency"),
    "duration_months": N_("duration in months"),
    "activity_count": N_("number of activities"),
    "share_denominator": N_(
        "base of budget shares (total budget, else the sum of activity budgets)"
    ),
    "category_shares": N_("budget share of each activity category"),
    "dominant_category": N_("the activity category with the largest budget share"),
    "dominant_category_share": N_("the budget share of that category"),
    "migration_control_share": N_(
        "budget share of migration control (border control, maritime interception, surveillance "
        "equipment, detention, forced return, readmission cooperation, anti-smuggling "
        "enforcement, deterrence campaigns)"
    ),
    "coercive_share": N_("budget share of migration control, military and security forces"),
    "ldc_share": N_("budget share (by country percentages) going to LDCs on the screening date"),
    "ldc_countries": N_("recipient countries that are LDCs as of the screening date"),
    "non_dac_share": N_("budget share going to countries not on the DAC List of ODA Recipients"),
    "non_dac_countries": N_("recipient countries not on the DAC List of ODA Recipients"),
    "free_movement_countries": N_("recipient countries in a regional free-movement area in force"),
    "migration_related": N_(
        "migration-related (by purpose codes, stated categories and target groups, and what "
        "the text says); unknown only when there is almost no text"
    ),
    "migration_reasons": N_("why the proposal is migration-related"),
    "categories": N_(
        "activity categories: those stated and those the text shows the project funds"
    ),
    "uses_migration_reduction_measures": N_(
        "some result indicator is coded as measuring migration reduction"
    ),
    "only_migration_reduction_measures": N_(
        "every result indicator is coded as measuring migration reduction"
    ),
    "in_donor_refugee_months": N_("months of in-donor refugee costs"),
    "country_percentage_sum": N_("sum of the country percentages"),
    "purpose_code_percentage_sum": N_("sum of the purpose-code percentages"),
    "activity_budget_sum": N_("sum of the activity budgets"),
    "activity_budget_exceeds_total": N_("activity budgets add up to more than the total"),
    "end_before_start": N_("end date before start date"),
    "unknown_purpose_codes": N_("purpose codes that are not DAC CRS codes"),
    "non_oda_purpose_codes": N_("purpose codes that exist only for TOSSD or are withdrawn"),
    "humanitarian": N_(
        "humanitarian aid: flagged humanitarian (IATI), or mostly humanitarian purpose codes "
        "(72xxx emergency response, 73xxx reconstruction relief, 74xxx disaster prevention)"
    ),
    "humanitarian_short": N_(
        "a humanitarian grant of less than 24 months (no when nothing says humanitarian)"
    ),
}
FACT_NAMES = frozenset(FACT_DOCS)

# Facts of a whole portfolio (a batch run), for rules with `scope: portfolio`.
PORTFOLIO_FACT_DOCS: dict[str, str] = {
    "portfolio_proposals": N_("number of proposals in the portfolio"),
    "portfolio_ldc_share": N_("budget share of the portfolio going to LDCs"),
    "portfolio_migration_control_share": N_(
        "budget share of the portfolio spent on migration control"
    ),
    "portfolio_in_donor_refugee_share": N_(
        "in-donor refugee costs as a share of the portfolio's budget reported as ODA"
    ),
}


def compute_facts(data: dict, refdata, as_of: date) -> dict[str, Fact]:
    facts: dict[str, Fact] = {}
    budget = data.get("budget") or {}
    activities = data.get("activities")
    countries = data.get("countries")
    period = data.get("period") or {}

    total = budget.get("total")
    facts["total_budget"] = _known(total, [("budget", "total")])
    facts["currency"] = _known(budget.get("currency"), [("budget", "currency")])
    facts["activity_count"] = _known(
        len(activities) if activities is not None else None, [("activities",)]
    )

    budgets = [a.get("budget") for a in activities or []]
    budget_sum = sum(b for b in budgets if b is not None) if activities else None
    facts["activity_budget_sum"] = (
        Fact(budget_sum, [("activities",)]) if activities else _unknown(("activities",))
    )
    if total:
        facts["share_denominator"] = Fact(total, [("budget", "total")])
    elif activities and all(b is not None for b in budgets) and budget_sum:
        facts["share_denominator"] = Fact(budget_sum, [("activities",)])
    else:
        facts["share_denominator"] = _unknown(("budget", "total"))
    facts["activity_budget_exceeds_total"] = (
        Fact(budget_sum > total, [("activities",), ("budget", "total")])
        if total is not None and budget_sum is not None
        else _unknown(("budget", "total") if total is None else ("activities",))
    )

    _category_facts(facts, activities, facts["share_denominator"].value)
    _duration_facts(facts, period)
    _country_facts(facts, countries, refdata, as_of)
    _measure_facts(facts, data.get("results"))
    _purpose_code_facts(facts, (data.get("oda") or {}).get("purpose_codes"), refdata)
    _scope_facts(facts, data)
    _humanitarian_facts(facts, data)
    refugee = data.get("in_donor_refugee_costs") or {}
    facts["in_donor_refugee_months"] = _known(
        refugee.get("months"), [("in_donor_refugee_costs", "months")]
    )
    return facts


# OECD DAC CRS sector 700 "Humanitarian aid": 720 emergency response, 730 reconstruction
# relief and rehabilitation, 740 disaster prevention and preparedness.
HUMANITARIAN_CODES = range(72000, 75000)
# Under this many months a humanitarian grant is an emergency response, not a programme to be
# judged by the multi-year horizon development rules ask of refugee hosting (ngo-2020 §3.3 and
# rec. 4 ask three to six years of development programmes; humanitarian funding is annual).
EMERGENCY_MONTHS = 24


def _humanitarian_facts(facts, data) -> None:
    """humanitarian and humanitarian_short: which rules apply, and how (see the rules)."""
    flag = data.get("x-humanitarian")
    codes = (data.get("oda") or {}).get("purpose_codes") or []
    known = [c for c in codes if isinstance(c.get("code"), int)]
    if all(c.get("percentage") is not None for c in known) and known:
        weight = sum(c["percentage"] for c in known if c["code"] in HUMANITARIAN_CODES)
        by_codes = weight >= 50 if sum(c["percentage"] for c in known) else None
    elif known:
        by_codes = sum(c["code"] in HUMANITARIAN_CODES for c in known) * 2 >= len(known)
    else:
        by_codes = None
    sources = []
    if flag is not None:
        sources.append(("x-humanitarian",))
    if by_codes is not None:
        sources.append(("oda", "purpose_codes"))
    if flag is True or by_codes is True:
        value = True
    elif flag is False or by_codes is False:
        value = False
    else:
        value = None
    facts["humanitarian"] = (
        Fact(value, sources) if value is not None else _unknown(("x-humanitarian",))
    )
    months = facts["duration_months"].value
    short = bool(value) and months is not None and months < EMERGENCY_MONTHS
    if value and months is None:
        facts["humanitarian_short"] = Fact(None, [], [("period",)])
    else:
        facts["humanitarian_short"] = Fact(short, [*sources, ("period",)] if value else sources)


def _known(value, paths) -> Fact:
    return Fact(value, paths) if value is not None else Fact(None, [], list(paths))


def _unknown(*paths) -> Fact:
    return Fact(None, [], list(paths))


def _category_facts(facts, activities, denominator) -> None:
    names = (
        "category_shares",
        "dominant_category",
        "dominant_category_share",
        "migration_control_share",
        "coercive_share",
    )
    if not activities:
        for name in names:
            facts[name] = _unknown(("activities",))
        return
    missing = [
        ("activities", i, key)
        for i, a in enumerate(activities)
        for key in ("category", "budget")
        if a.get(key) is None
    ]
    if missing or not denominator:
        for name in names:
            facts[name] = Fact(None, [], missing or [("budget", "total")])
        return
    shares: dict[str, float] = {}
    for activity in activities:
        shares[activity["category"]] = (
            shares.get(activity["category"], 0.0) + activity["budget"] / denominator
        )
    shares = {key: round(value, 4) for key, value in sorted(shares.items())}
    dominant = max(sorted(shares), key=lambda key: shares[key])
    source = [("activities",)]
    facts["category_shares"] = Fact(shares, source)
    facts["dominant_category"] = Fact(dominant, source)
    facts["dominant_category_share"] = Fact(shares[dominant], source)
    facts["migration_control_share"] = Fact(
        round(sum(shares.get(c, 0) for c in MIGRATION_CONTROL), 4), source
    )
    facts["coercive_share"] = Fact(round(sum(shares.get(c, 0) for c in COERCIVE), 4), source)


def _duration_facts(facts, period) -> None:
    start, end = period.get("start"), period.get("end")
    if start is None or end is None:
        lost = [("period", key) for key in ("start", "end") if period.get(key) is None]
        facts["duration_months"] = Fact(None, [], lost)
        facts["end_before_start"] = Fact(None, [], lost)
        return
    first, last = date.fromisoformat(start), date.fromisoformat(end)
    months = (
        (last.year - first.year) * 12
        + (last.month - first.month)
        + (1 if last.day >= first.day else 0)
    )
    source = [("period",)]
    facts["duration_months"] = Fact(max(months, 0), source)
    facts["end_before_start"] = Fact(last < first, source)


def _country_facts(facts, countries, refdata, as_of) -> None:
    names = (
        "ldc_share",
        "ldc_countries",
        "non_dac_share",
        "non_dac_countries",
        "free_movement_countries",
        "country_percentage_sum",
    )
    if not countries:
        for name in names:
            facts[name] = _unknown(("countries",))
        return
    source = [("countries",)]
    percents = [c.get("percentage") for c in countries]
    if all(p is not None for p in percents):
        facts["country_percentage_sum"] = Fact(round(sum(percents), 4), source)
        weights = [p / 100 for p in percents]
    elif len(countries) == 1:
        facts["country_percentage_sum"] = _unknown(("countries", 0, "percentage"))
        weights = [1.0]
    else:
        weights = None
        facts["country_percentage_sum"] = Fact(
            None, [], [("countries", i, "percentage") for i, p in enumerate(percents) if p is None]
        )
    for fact, list_id, keep in (("ldc", "ldc", True), ("non_dac", "dac-recipients", False)):
        statuses = [refdata.membership(list_id, c["code"], as_of)[0] for c in countries]
        listed = [c["code"] for c, s in zip(countries, statuses, strict=True) if s is keep]
        uncertain = [i for i, s in enumerate(statuses) if s is None]
        facts[f"{fact}_countries"] = (
            Fact(listed, source)
            if not uncertain
            else Fact(None, [], [("countries", i, "code") for i in uncertain])
        )
        if weights is None or uncertain:
            facts[f"{fact}_share"] = Fact(
                None,
                [],
                facts["country_percentage_sum"].missing
                or [("countries", i, "code") for i in uncertain],
            )
        else:
            share = sum(w for w, s in zip(weights, statuses, strict=True) if s is keep)
            facts[f"{fact}_share"] = Fact(round(share, 4), source)
    in_area = [
        c["code"] for c in countries if refdata.membership("free-movement", c["code"], as_of)[0]
    ]
    facts["free_movement_countries"] = Fact(in_area, source)


def _measure_facts(facts, results) -> None:
    measures = [
        (("results", i, "indicators", j, "measures"), indicator.get("measures"))
        for i, result in enumerate(results or [])
        for j, indicator in enumerate(result.get("indicators") or [])
    ]
    known = [m for _path, m in measures if m is not None]
    if not known:
        lost = [("results",)] if not results else [("results", 0, "indicators")]
        facts["uses_migration_reduction_measures"] = _unknown(*lost)
        facts["only_migration_reduction_measures"] = _unknown(*lost)
        return
    reducing = [m in MIGRATION_REDUCTION_MEASURES for m in known]
    source = [("results",)]
    # Derived from the indicators that measure migration reduction, when some do: a finding on
    # this fact points at them.
    which = [path for path, m in measures if m in MIGRATION_REDUCTION_MEASURES]
    facts["uses_migration_reduction_measures"] = Fact(any(reducing), which or source)
    facts["only_migration_reduction_measures"] = Fact(all(reducing), source)


def _purpose_code_facts(facts, codes, refdata) -> None:
    if not codes:
        for name in (
            "purpose_code_percentage_sum",
            "unknown_purpose_codes",
            "non_oda_purpose_codes",
        ):
            facts[name] = _unknown(("oda", "purpose_codes"))
        return
    source = [("oda", "purpose_codes")]
    percents = [c.get("percentage") for c in codes]
    facts["purpose_code_percentage_sum"] = (
        Fact(round(sum(percents), 4), source)
        if all(p is not None for p in percents)
        else Fact(
            None,
            [],
            [
                ("oda", "purpose_codes", i, "percentage")
                for i, p in enumerate(percents)
                if p is None
            ],
        )
    )
    unknown, non_oda = [], []
    for entry in codes:
        known = refdata.purpose_code(entry["code"])
        if known is None:
            unknown.append(entry["code"])
        elif not known.get("crs") or known.get("withdrawn"):
            non_oda.append(entry["code"])
    facts["unknown_purpose_codes"] = Fact(unknown, source)
    facts["non_oda_purpose_codes"] = Fact(non_oda, source)


def _scope_facts(facts, data) -> None:
    from pcd_screen.engine.scope import scope_facts

    scope = scope_facts(data, SCOPE_CATEGORIES, MIGRANT_GROUPS)
    value = scope["migration_related"]
    sources = [("activities",), ("oda", "purpose_codes"), ("target_groups",)]
    facts["migration_related"] = (
        Fact(value, sources) if value is not None else Fact(None, [], [("description",)])
    )
    facts["migration_reasons"] = Fact(scope["reasons"], sources)
    facts["categories"] = Fact(scope["categories"], [("activities",)])
