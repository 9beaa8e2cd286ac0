"""Scope first: is a proposal or imported activity migration-related, and which activity
categories does it have? From codes, stated fields and what its text says (engine.text).

migration_related is True or False with its reasons; unknown (None) only when there is almost
no text and no field settles it. categories lists the activity categories stated in the
fields and those the text shows it funds (a detention component described only in prose),
whatever the budget."""

from __future__ import annotations

from pcd_screen.engine.facts import MIGRATION_REDUCTION_MEASURES
from pcd_screen.engine.text.frames import frames, matcher
from pcd_screen.engine.text.lemmas import lemmatise
from pcd_screen.engine.text.reader import TEXT_FIELDS, document_language, read, texts_of
from pcd_screen.engine.text.tokens import tokenise

# 15190 migration, 15136 immigration, 93010-93018 in-donor refugee costs, 24050 remittances,
# 72010 is not here: material relief goes to many crisis-affected people, not only displaced.
MIGRATION_PURPOSE_CODES = (15190, 15136, 24050, *range(93010, 93019))
MIN_WORDS = 8  # below this, a text without codes or fields says too little to decide
TOPIC_FRAMES = ("migration-topic",)
# Frames whose explicit match makes a text migration-related by itself: money tied to
# returns, success measured by departures, returns from detention, refugees and the
# communities hosting them served together, countries chosen (or aid moved) for migration,
# the people's data passed to immigration enforcement, an allocation or a next phase scaled to
# cooperation, people's crossings restricted (passes refused, crossings closed or kept for
# holders of papers, carriers made to refuse travellers).
SCOPE_FRAMES = (
    "tranche-tied-to-control",
    "condition-tied-to-control-next",
    "allocation-tied-to-control",
    "allocation-weighed-by-control",
    "phase-tied-to-control",
    "migration-reduction-aim",
    "departure-measure",
    "return-from-detention",
    "root-causes-of-migration",
    "refugee-hosting",
    "countries-chosen-for-migration",
    "aid-moved-for-migration",
    "data-to-enforcement",
    "data-for-return",
    "carrier-sanctions",
    "crossing-no-longer-tolerated",
    "documents-no-longer-accepted",
    "crossing-reserved-for-holders",
    "extra-document-required",
    "informal-crossings-closed",
    "crossings-capped",
)
# Frames that make a text migration-related only in an indicator's name: a count of people
# leaving to work elsewhere is success measured by departures there, and context elsewhere.
INDICATOR_SCOPE_FRAMES = ("work-departures-measure",)
# Scope frames that name the people served: not when those are one item of a list that a
# passing marker opens ("stakeholders including government, ..., host and migrant communities").
GROUP_FRAMES = ("refugee-hosting",)
MIGRATION_LINKS = ("readmission", "return", "border-control", "migration-reduction")
MIGRATION_SELECTION = ("migration-cooperation", "migration-flows-to-donor", "return-cooperation")
MIGRATION_IMPLEMENTERS = ("border-guard", "coastguard")
# Words that join the last item of a list to the others (see _one_of_a_list).
LIST_JOINS = {"en": ("and", "or"), "nl": ("en", "of"), "fr": ("et", "ou")}


def reason(kind: str, code=None, **more) -> dict:
    """One reason a proposal is migration-related, as data: its kind (a key of `reason` in
    data/labels.yaml, which holds its text per language), the code it names (a purpose code, a
    vocabulary term or a frame) and, for text, the quoted sentence. Reports show it in the
    report language; the JSON result keeps the codes."""
    return {"kind": kind, **({"code": code} if code is not None else {}), **more}


def scope_facts(data: dict, migration_categories, migrant_groups) -> dict:
    """{'migration_related': True | False | None, 'reasons': [reason], 'categories': [code]}"""
    lang = document_language(data)
    fields = texts_of(data, TEXT_FIELDS)
    categories: dict[str, None] = {}
    framed: dict[str, str] = {}  # scope frame -> the first sentence that said it
    topic_sentences: list[tuple] = []
    words = 0
    for path, text in fields:
        reading = read(text, lang)
        words += sum(reading.sizes)
        for hit in reading.hits:
            if hit.negated or hit.weak and hit.frame not in TOPIC_FRAMES:
                continue
            frame = frames()[hit.frame]
            if not hit.weak and (
                hit.frame in SCOPE_FRAMES
                or hit.frame in INDICATOR_SCOPE_FRAMES
                and "indicators" in path
            ):
                if hit.frame in GROUP_FRAMES and _in_passing(reading, hit):
                    continue  # "stakeholders including ..., host and migrant communities"
                framed.setdefault(hit.frame, reading.quote(hit))
            if hit.frame in TOPIC_FRAMES:
                passing = _in_passing(reading, hit) or (
                    path != ("title",) and _one_of_a_list(reading, hit)
                )
                if not passing:  # named as one group of a list: not the project's subject
                    topic_sentences.append((path, hit.sentence, reading.quote(hit)))
            elif frame.category:
                categories.setdefault(frame.category, None)
    activities = [a for a in data.get("activities") or [] if isinstance(a, dict)]
    stated = [a.get("category") for a in activities if a.get("category")]
    all_categories = sorted(set(stated) | set(categories))

    reasons: list[dict] = []
    codes = [c.get("code") for c in (data.get("oda") or {}).get("purpose_codes") or []]
    for code in codes:
        if _as_int(code) in MIGRATION_PURPOSE_CODES:
            reasons.append(reason("purpose-code", str(code)))
    # Categories an importer inferred from words are not the applicant's statement: the text
    # itself is read below.
    own = [
        a.get("category")
        for a in activities
        if a.get("category") in migration_categories and "x-inferred" not in a
    ]
    reasons += [reason("activity-category", c) for c in dict.fromkeys(own)]
    groups = set(data.get("target_groups") or []) | {
        g for a in activities for g in a.get("target_groups") or []
    }
    reasons += [reason("target-group", g) for g in sorted(groups & set(migrant_groups))]
    reasons += _stated_reasons(data)
    reasons += [reason("text-frame", name, quote=quote) for name, quote in framed.items()]
    control_text = sorted(categories)
    reasons += [reason("text-category", c) for c in control_text if c in migration_categories]
    sentences = {(p, s) for p, s, _q in topic_sentences}
    in_title = [q for p, _s, q in topic_sentences if p == ("title",)]
    humanitarian = data.get("x-humanitarian") is True
    if in_title:
        reasons.append(reason("title", quote=in_title[0]))
    elif len(sentences) >= 2 or (sentences and (humanitarian or words < 60)):
        path, _s, quote = topic_sentences[0]
        reasons.append(reason("text-topic", count=len(sentences), quote=quote))
    if reasons:
        value = True
    elif words < MIN_WORDS and not stated:
        value = None
    else:
        value = False
    return {"migration_related": value, "reasons": reasons, "categories": all_categories}


def _stated_reasons(data: dict) -> list[str]:
    """Fields that make a proposal migration-related whatever its categories say."""
    reasons = []
    links = {
        link
        for c in data.get("conditions") or []
        if isinstance(c, dict)
        for link in c.get("linked_to") or []
    }
    reasons += [reason("condition-link", link) for link in MIGRATION_LINKS if link in links]
    chosen = set(data.get("selection_criteria") or [])
    reasons += [reason("selection-criterion", c) for c in MIGRATION_SELECTION if c in chosen]
    measures = {
        i.get("measures")
        for r in data.get("results") or []
        if isinstance(r, dict)
        for i in r.get("indicators") or []
        if isinstance(i, dict)
    }
    reduction = [m for m in MIGRATION_REDUCTION_MEASURES if m in measures]
    reasons += [reason("indicator-measure", m) for m in reduction]
    types = {i.get("type") for i in data.get("implementers") or [] if isinstance(i, dict)}
    reasons += [reason("implementer", t) for t in MIGRATION_IMPLEMENTERS if t in types]
    arrangement = (data.get("ownership") or {}).get("readmission_arrangement") or {}
    if arrangement.get("exists") is True:
        reasons.append(reason("readmission-arrangement"))
    if ((data.get("in_donor_refugee_costs") or {}).get("amount") or 0) > 0:
        reasons.append(reason("in-donor-refugee-costs"))
    return reasons


def _in_passing(reading, hit) -> bool:
    return any(
        h.frame == "migration-in-passing" and h.sentence == hit.sentence for h in reading.hits
    )


def _one_of_a_list(reading, hit) -> bool:
    """Migrants named once, inside a comma-separated list of other groups ("survivors with
    disability, chronically ill, IDPs, pregnant women"): one group among many."""
    same = [
        h
        for h in reading.hits
        if h.frame in TOPIC_FRAMES and h.sentence == hit.sentence and not h.negated
    ]
    if len({(h.start, h.end) for h in same}) > 1:
        return False
    words = reading.starts(hit.sentence)
    first = words[max(hit.start - 6, 0)]
    last = words[min(hit.end + 5, len(words) - 1)]
    if reading.text.count(",", first, last) < 2:
        return False
    # The group must be an item itself, a comma or a list's last "and" beside it, not the
    # head of a phrase whose own list follows ("migrants from Niger, Chad and Sudan").
    before = reading.text[first : words[hit.start]].split()
    after = reading.text[words[hit.end - 1] : words[hit.end]] if hit.end < len(words) else ""
    joins = LIST_JOINS.get(reading.lang, ())
    if not (before[-1:] and (before[-1].endswith(",") or before[-1] in joins) or "," in after):
        return False
    # A list made mostly of displaced groups ("IDPs,Refugees,Returnees") is the target group
    # itself, not one group among many.
    items = [item for item in reading.text[first:last].split(",") if item.strip()]
    return 2 * sum(_names_migrants(item, reading.lang) for item in items) <= len(items)


def _names_migrants(text: str, lang: str) -> bool:
    words = tokenise(text)[0]
    return "migration-topic" in matcher(lang).roles(words, lemmatise(words, lang))


def _as_int(code):
    try:
        return int(code)
    except (TypeError, ValueError):
        return None
