"""A parsed document -> proposal data, each value with where it was found.

The document's text becomes the proposal's free text: title, summary, description, and every
paragraph and table as a section ({heading, text, page, paragraph}) for the text layer. What
the document states in a recognisable form is taken, with its location: the reference, title,
countries (names in en/nl/fr), total budget and currency, period, DAC purpose codes,
implementers, the activities and results tables, the risk table, and the conditions and tranche
clauses. Nothing is guessed beyond that: what is not found stays absent (unknown), so the rules
that need it answer "unclear" and the report asks for it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from pcd_screen.engine import countries as countrynames
from pcd_screen.inputs.documents.model import Block, Parsed, label

# Labels of "Label: value" lines and of two-column fact sheets, en/nl/fr (folded, no accents).
LABELS = {
    "id": r"reference|ref|project (?:number|id|code)|proposal (?:number|id)|reference number"
    r"|numero de projet|code projet|referentie|kenmerk|projectnummer|dossiernummer",
    "donor": r"donor|funded by|financed by|bailleur(?: de fonds)?|donateur|financier"
    r"|financiering door",
    "instrument": r"(?:funding |financing )?instrument|channel|instrument de financement|kanaal",
    "budget": r"total (?:budget|cost|amount|contribution)|budget(?: total)?|overall budget"
    r"|montant(?: total)?|cout total|totaal ?budget|totale begroting|begroting|budget global",
    "period": r"(?:implementation )?period|duration|timeframe|periode(?: de mise en oeuvre)?"
    r"|duree|looptijd|uitvoeringsperiode",
    "countries": r"(?:partner |recipient |beneficiary )?countr(?:y|ies)|location"
    r"|pays(?: partenaires?)?|partnerland(?:en)?|land(?:en)?",
    "purpose_codes": r"(?:oecd )?(?:dac|crs)(?: purpose| sector)? codes?|purpose codes?"
    r"|sector codes?|codes? (?:cad|secteur|crs)|dac codes?|sectorcodes?",
    "implementers": r"implement(?:ing|ed) (?:partners?|organisations?|organizations?|by|agency)"
    r"|implementers?|operateurs?|partenaires? de mise en oeuvre|mis en oeuvre par"
    r"|uitvoerende (?:partners?|organisaties?)|uitvoerders?|uitgevoerd door",
}
HEADINGS = {
    "summary": r"summary|executive summary|abstract|resume|synthese|samenvatting",
    "conditions": r"condition|tranche|disburse|decaissement|versement|uitbetaling|voorwaarde",
}
# Safeguards an applicant states in prose, folded (engine/text folds the same way). An
# assessment counts as done only when the sentence says it was made (not that it will be); a
# negation near it ("no ... has been carried out", "n a pas ete realisee") makes it false. The
# draft marks where each value was read; the officer checks it.
SAFEGUARD_NAMES = {
    "human_rights_risk_assessment": r"human rights? (?:risk |impact )?(?:assessment|analysis)"
    r"|mensenrechten ?(?:risico ?)?(?:analyse|beoordeling|toets)"
    r"|beoordeling van de mensenrechtenrisico"
    r"|(?:evaluation|analyse) (?:des risques |de l impact )?(?:pour|sur|en matiere de) (?:les )?"
    r"droits (?:humains|de l homme)",
    "conflict_analysis": r"conflict (?:sensitivity )?analysis|conflictanalyse"
    r"|conflict and do no harm (?:analysis|assessment)|analyse (?:de conflit|des conflits) et"
    r"|analyse (?:des conflits|de conflit|de sensibilite aux conflits)",
    "do_no_harm_analysis": r"do no harm ?(?:analysis|assessment|analyse)|analyse ne pas nuire",
}
SAFEGUARD_ANY = re.compile("|".join(f"(?:{pattern})" for pattern in SAFEGUARD_NAMES.values()))
SAFEGUARD_DONE = re.compile(
    r"\b(?:carried out|conducted|completed|undertaken|done|made|prepared|commissioned|available"
    r"|attached|annexed|realisee?s?|effectuee?s?|menee?s?|conduite?s?|elaboree?s?|finalisee?s?"
    r"|disponibles?|uitgevoerd|gemaakt|opgesteld|afgerond|bijgevoegd|beschikbaar)\b"
)
# where a clause ends: a negation or a verb beyond it is another clause's
SAFEGUARD_CLAUSE = re.compile(r"\b(?:but|while|whereas|maar|terwijl|mais|tandis que|alors que)\b")
SAFEGUARD_FUTURE = re.compile(
    r"\b(?:will|shall|to be|planned|plans|zal|zullen|gepland|sera|seront|prevue?s?|a realiser)\b"
)
SAFEGUARD_NEGATION = re.compile(r"\b(?:no|not|never|geen|niet|nooit|pas|aucune?|jamais)\b")
# Not done, and not even planned: "is not foreseen", "n'est pas prévue", "is niet voorzien".
SAFEGUARD_PLANNED = re.compile(
    r"\b(?:foreseen|planned|envisaged|provided for|scheduled|budgeted|prevue?s?|envisagee?s?"
    r"|programmee?s?|voorzien|gepland|begroot)\b"
)
TRANCHE = re.compile(r"\btranches?\b|disburse|decaiss|uitbetal|versement|\bschijf|\bschijven\b")
# Money released when something happens is conditional on it: "débloquée lorsque", "pas
# vrijgegeven zodra", "released once" (a tranche or a conditions heading must be there too).
CONDITIONAL = re.compile(
    r"conditional|subject to|upon|provided that|depend|linked to|contingent|triggers?|release"
    r"|\bonce\b|only after|sous reserve|condition|subordonne|lie[e]? a|debloqu|\blorsque\b"
    r"|\bdes que\b|une fois que|apres que|afhankelijk|op voorwaarde|gekoppeld|vrijgegeven"
    r"|vrijgave|\bzodra\b|\bnadat\b|pas als|pas na|\buntil\b|\bunless\b|\btant que\b|\bzolang\b"
    r"|\btenzij\b",
)
# A sentence that denies a condition ("no tranche is conditional on readmission", "le versement
# n'est pas subordonné à", "niet gekoppeld aan", "geen enkel deel ... is afhankelijk van") states
# none ("not only", "niet enkel" deny nothing); "no tranche is released until ..."
# does (its verb is a release, not a dependence, and "until" makes it a condition).
DENIED_CONDITION = re.compile(
    r"\b(?:no|not|never|none|neither|nor|without|geen|niet|nooit|noch|zonder|aucune?|pas|jamais"
    r"|ni|sans)\b(?!\s+(?:only|seulement|uniquement|alleen)\b)(?!(?<=niet)\s+enkel\b)"
    r"(?:\W+\w+){0,6}?\W+"
    r"(?:conditional|conditioned|subject to|depend|linked to|tied to|contingent|subordonne"
    r"|conditionne|lie[e]?s? a|afhankelijk|gekoppeld|verbonden aan|voorwaarde)"
)
UNTIL = re.compile(
    r"\b(?:until|unless|before|till|totdat|tenzij|voordat|zolang|avant|tant que|a moins)\b"
)
CURRENCIES = {
    "eur": "EUR",
    "euro": "EUR",
    "euros": "EUR",
    "€": "EUR",
    "usd": "USD",
    "us$": "USD",
    "$": "USD",
    "dollars": "USD",
    "gbp": "GBP",
    "£": "GBP",
    "chf": "CHF",
    "xof": "XOF",
    "fcfa": "XOF",
    "cfa": "XOF",
    "sek": "SEK",
    "dkk": "DKK",
    "nok": "NOK",
}
MONTHS = {
    **dict.fromkeys(["january", "janvier", "januari", "jan"], 1),
    **dict.fromkeys(["february", "fevrier", "februari", "feb"], 2),
    **dict.fromkeys(["march", "mars", "maart", "mar"], 3),
    **dict.fromkeys(["april", "avril", "apr"], 4),
    **dict.fromkeys(["may", "mai", "mei"], 5),
    **dict.fromkeys(["june", "juin", "juni", "jun"], 6),
    **dict.fromkeys(["july", "juillet", "juli", "jul"], 7),
    **dict.fromkeys(["august", "aout", "augustus", "aug"], 8),
    **dict.fromkeys(["september", "septembre", "sep", "sept"], 9),
    **dict.fromkeys(["october", "octobre", "oktober", "oct", "okt"], 10),
    **dict.fromkeys(["november", "novembre", "nov"], 11),
    **dict.fromkeys(["december", "decembre", "dec"], 12),
}
# Implementer types a name states beyond doubt; any other name keeps its type unknown.
IMPLEMENTER_TYPES = [
    (
        r"ministr\w* (?:of (?:the )?)?interior|ministere de l interieur|binnenlandse zaken",
        "ministry-of-interior",
    ),
    (r"coast ?guard|garde[s]? cotes?|kustwacht", "coastguard"),
    (
        r"border (?:guard|police)|garde[s]? frontiere|police aux frontieres|grenswacht"
        r"|grenspolitie",
        "border-guard",
    ),
    (r"\bpolice\b|gendarmerie|politie", "police"),
    (
        r"\barmed forces\b|\barmy\b|\bmilitary\b|forces armees|\barmee\b|\bleger\b|defensie",
        "military",
    ),
    (
        r"\b(?:iom|oim|unhcr|hcr|unicef|undp|pnud|ilo|oit|wfp|pam|unfpa|un women|ohchr|unodc)\b",
        "un-agency",
    ),
    (
        r"\b(?:enabel|giz|afd|expertise france|civipol|luxdev|sida|danida|usaid|fcdo)\b",
        "donor-agency",
    ),
    (r"\b(?:icmpd|oecd|ocde|ecowas|cedeao)\b", "international-organisation"),
    (r"\buniversit|\binstitute\b|\binstitut\b|research", "research"),
    (r"trade union|syndicat|vakbond", "trade-union"),
    (
        r"ministr|ministere|ministerie|government of|gouvernement|regering|agence nationale"
        r"|national agency",
        "partner-government-civilian",
    ),
]
STOPWORDS = {
    "en": {"the", "and", "of", "to", "in", "is", "for", "with", "will", "by", "on", "be"},
    "fr": {"le", "la", "les", "et", "des", "du", "est", "pour", "dans", "une", "sur", "par"},
    "nl": {"de", "het", "en", "van", "een", "voor", "met", "is", "op", "te", "wordt", "zijn"},
}


@dataclass
class Extraction:
    data: dict
    labels: dict[tuple, str] = field(default_factory=dict)

    def put(self, path: tuple, value, where: str | None) -> None:
        target = self.data
        for key in path[:-1]:
            target = target.setdefault(key, {})
        target[path[-1]] = value
        if where:
            self.labels[path] = where


def fold(text: str) -> str:
    return countrynames.fold(text)


def extract(parsed: Parsed, name: str) -> Extraction:
    """The proposal data a parsed document gives; `name` is the file's name (for the id and
    the title when the document states neither)."""
    out = Extraction({"schema_version": 1})
    blocks = parsed.blocks
    facts = list(_labelled(blocks))

    def first(key):
        return next(((v, w) for k, v, w in facts if k == key), (None, None))

    ref, where = first("id")
    if ref:
        match = re.search(r"[A-Za-z0-9][A-Za-z0-9._/-]{2,60}", ref)
        if match:
            out.put(("id",), match.group(0).rstrip("."), where)
    if "id" not in out.data:
        stem = re.sub(r"\.[A-Za-z0-9]+$", "", name.replace("\\", "/").rsplit("/", 1)[-1])
        out.put(("id",), stem or "document", "file name")
    _title(out, parsed, name)
    _sections(out, blocks)
    _summary_and_description(out, blocks, {w for _, _, w in facts})
    language = _language(" ".join(b.text for b in blocks[:200]))
    if language:
        out.put(("language",), language, None)
    for key in ("donor", "instrument"):
        value, where = first(key)
        if value:
            out.put((key,), value, where)
    value, where = first("budget")
    money = _money(value) if value else None
    if money:
        total, currency = money
        out.put(("budget", "total"), total, where)
        if currency:
            out.put(("budget", "currency"), currency, where)
    value, where = first("period")
    if value:
        span = _period(value)
        if span:
            out.put(("period", "start"), span[0].isoformat(), where)
            out.put(("period", "end"), span[1].isoformat(), where)
    value, where = first("countries")
    _countries(out, value, where, parsed)
    value, where = first("purpose_codes")
    if value:
        _purpose_codes(out, value, where)
    value, where = first("implementers")
    if value:
        for index, part in enumerate(_names(value)):
            name, stated = _stated_type(_balanced(part.strip(" ,.")))
            _implementer(out, index, name, stated, where)
    _tables(out, blocks)
    _conditions(out, blocks)
    _safeguards(out, blocks)
    return out


def _safeguards(out: Extraction, blocks: list[Block]) -> None:
    """Assessments said in a sentence to have been made (true) or not made (false)."""
    from pcd_screen.engine.text.sentences import split

    found: dict = {}
    for block in blocks:
        if block.kind != "paragraph":
            continue
        for a, b in split(block.text):
            sentence = fold(block.text[a:b])
            for key, pattern in SAFEGUARD_NAMES.items():
                named = re.search(pattern, sentence)
                if named is None or key in found:
                    continue
                # the words around the name, each side cut at the clause's end
                before = SAFEGUARD_CLAUSE.split(
                    sentence[max(0, named.start() - 30) : named.start()]
                )
                after = SAFEGUARD_CLAUSE.split(sentence[named.end() : named.end() + 60])[0]
                done = SAFEGUARD_DONE.search(after)
                said = done or SAFEGUARD_PLANNED.search(after)
                # another assessment's name is no negation: "a do-no-harm analysis"
                if SAFEGUARD_NEGATION.search(SAFEGUARD_ANY.sub(" ", before[-1])) or (
                    said and SAFEGUARD_NEGATION.search(SAFEGUARD_ANY.sub(" ", after))
                ):
                    found[key] = (False, block)
                elif done and not SAFEGUARD_FUTURE.search(sentence):
                    found[key] = (True, block)
    for key, (done, block) in found.items():
        out.put(("safeguards", key), done, label(block))


# --- what the document states as "Label: value" ----------------------------------------------


def _labelled(blocks: list[Block]):
    """(key, value, where) for every "Label: value" paragraph and two-column table row."""
    patterns = {key: re.compile(rf"^(?:{p})$") for key, p in LABELS.items()}

    def key_of(text):
        folded = fold(text)
        for key, pattern in patterns.items():
            if pattern.match(folded):
                return key
        return None

    for block in blocks:
        if block.kind == "paragraph":
            match = re.match(r"^([^:：]{2,60})\s*[:：]\s*(.+)$", block.text, re.DOTALL)
            if match:
                key = key_of(match.group(1))
                if key:
                    yield key, match.group(2).strip(), label(block)
        elif block.kind == "table":
            for r, row in enumerate(block.rows, start=1):
                cells = [c for c in row if c]
                if len(cells) >= 2:
                    key = key_of(cells[0].rstrip(":"))
                    if key:
                        yield key, " ".join(cells[1:]), label(block, r, row.index(cells[1]) + 1)


def _title(out: Extraction, parsed: Parsed, name: str) -> None:
    title = parsed.title
    if title and not re.match(r"(?i)^(untitled|document\d*|microsoft word)", title):
        out.put(("title",), title, "document properties")
        return
    for block in parsed.blocks:
        if block.kind == "heading":
            out.put(("title",), block.text[:300], label(block))
            return
    for block in parsed.blocks:
        if block.kind == "paragraph":
            out.put(("title",), block.text[:300], label(block))
            return
    out.put(("title",), out.data["id"], "file name")


def _sections(out: Extraction, blocks: list[Block]) -> None:
    heading = None
    sections = []
    for block in blocks:
        if block.kind == "heading":
            heading = block.text
            continue
        item = {"heading": heading, "text": block.text, "page": block.page}
        if block.kind == "table":
            item["table"] = block.table
        else:
            item["paragraph"] = block.paragraph
        sections.append(item)
        out.labels[("sections", len(sections) - 1)] = label(block)
    if sections:
        out.data["sections"] = sections


def _summary_and_description(out: Extraction, blocks, fact_places: set) -> None:
    summary_heading = re.compile(rf"(?:^|\s)(?:{HEADINGS['summary']})\b")
    in_summary = False
    summary, body = [], []
    for block in blocks:
        if block.kind == "heading":
            in_summary = bool(summary_heading.search(fold(block.text)))
            continue
        if block.kind != "paragraph" or label(block) in fact_places:
            continue
        (summary if in_summary else body).append(block)
    if summary:
        out.put(("summary",), "\n\n".join(b.text for b in summary), label(summary[0]))
    if body:
        out.put(("description",), "\n\n".join(b.text for b in body), label(body[0]))


def _language(text: str) -> str | None:
    words = re.findall(r"[a-zà-ÿ]+", text.lower())
    counts = {lang: sum(w in stop for w in words) for lang, stop in STOPWORDS.items()}
    best = max(counts, key=counts.get)
    return best if counts[best] >= 5 else None


# --- values ----------------------------------------------------------------------------------

_AMOUNT = re.compile(
    r"(?P<pre>€|\$|£|\b[A-Z]{3}\b|\bUS\$)?\s*"
    r"(?P<num>\d{1,3}(?:[ .,\u00a0\u202f]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?)\s*"
    r"(?P<scale>million|millions|mln|mio|m\b|billion|milliard|miljard|k\b)?\s*"
    r"(?:d['’]\s*)?(?P<post>€|euros?|dollars|\b[A-Z]{3}\b|FCFA)?",
    re.IGNORECASE,
)


def _number(text: str) -> float | None:
    text = text.replace("\u00a0", " ").replace("\u202f", " ")
    groups = re.split(r"[ .,]", text)
    if len(groups) > 1 and all(len(g) == 3 for g in groups[1:]):
        return float("".join(groups))
    if len(groups) > 2 and all(len(g) == 3 for g in groups[1:-1]):
        return float("".join(groups[:-1]) + "." + groups[-1])
    try:
        return float(text.replace(",", ".").replace(" ", ""))
    except ValueError:
        return None


def _money(text: str) -> tuple[float | int, str | None] | None:
    best = None
    for match in _AMOUNT.finditer(text):
        value = _number(match.group("num"))
        if value is None:
            continue
        scale = (match.group("scale") or "").lower()
        if scale in ("million", "millions", "mln", "mio", "m"):
            value *= 1_000_000
        elif scale in ("billion", "milliard", "miljard"):
            value *= 1_000_000_000
        elif scale == "k":
            value *= 1_000
        code = None
        for part in (match.group("pre"), match.group("post")):
            if part and (CURRENCIES.get(part.lower()) or part.upper() in CURRENCIES.values()):
                code = CURRENCIES.get(part.lower()) or part.upper()
        if code is None and value < 1000:
            continue  # a bare small number is no budget
        if best is None or value > best[0]:
            best = (value, code)
    if best is None:
        return None
    value, code = best
    return (int(value) if value == int(value) else round(value, 2)), code


_DATE = re.compile(
    r"(?P<iso>\d{4}-\d{2}-\d{2})"
    r"|(?P<dmy>\d{1,2})[/.](?P<m>\d{1,2})[/.](?P<y>\d{4})"
    r"|(?:(?P<day>\d{1,2})(?:st|nd|rd|th|er)?\s+)?(?P<month>[a-z]{3,9})\.?\s+(?P<year>\d{4})",
)


def _dates(text: str) -> list[tuple[date, bool]]:
    """Dates in a text, each with whether its day was given (else the month is meant)."""
    found = []
    for match in _DATE.finditer(_fold_keep_digits(text)):
        try:
            if match.group("iso"):
                found.append((date.fromisoformat(match.group("iso")), True))
            elif match.group("dmy"):
                found.append(
                    (
                        date(int(match.group("y")), int(match.group("m")), int(match.group("dmy"))),
                        True,
                    )
                )
            elif match.group("month") in MONTHS:
                month = MONTHS[match.group("month")]
                day = int(match.group("day")) if match.group("day") else 1
                found.append((date(int(match.group("year")), month, day), bool(match.group("day"))))
        except ValueError:
            continue
    return found


def _fold_keep_digits(text: str) -> str:
    import unicodedata

    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


def _period(text: str) -> tuple[date, date] | None:
    dates = _dates(text)
    if len(dates) < 2:
        return None
    (start, _), (end, end_day) = dates[0], dates[1]
    if not end_day:  # "to February 2030": the end of that month
        import calendar

        end = end.replace(day=calendar.monthrange(end.year, end.month)[1])
    return (start, end) if start <= end else None


def _names(value: str) -> list[str]:
    """The organisations a line names: parts between semicolons or lines, and between "and",
    "et", "en" where a new name begins (a capital): "Caritas Mali et Terre des Hommes" is two,
    "Forum tunisien pour les droits économiques et sociaux" one."""
    out: list[str] = []
    for line in re.split(r";|\n", value):
        pieces = re.split(r" (and|et|en) ", line)
        current = pieces[0]
        for conjunction, piece in zip(pieces[1::2], pieces[2::2], strict=True):
            if piece[:1].isupper():
                out.append(current)
                current = piece
            else:
                current += f" {conjunction} {piece}"
        out.append(current)
    return [name for name in out if name.strip()]


def _countries(out: Extraction, value, where, parsed: Parsed) -> None:
    text, place = value, where
    if not text:
        text, place = out.data.get("title", ""), out.labels.get(("title",))
    codes = countrynames.find(text or "")
    if not codes:
        return
    shares = {}
    for part in re.split(r"[;,/\n]| and | et | en ", text):
        found = countrynames.find(part)
        share = re.search(r"(\d{1,3}(?:[.,]\d+)?)\s?%", part)
        if len(found) == 1 and share:
            shares[found[0]] = float(share.group(1).replace(",", "."))
    entries = []
    for index, code in enumerate(codes):
        entry = {"code": code}
        if len(codes) == 1:
            entry["percentage"] = 100
        elif code in shares:
            share = shares[code]
            entry["percentage"] = int(share) if share == int(share) else share
        entries.append(entry)
        out.labels[("countries", index)] = place
    out.data["countries"] = entries
    if place:
        out.labels[("countries",)] = place


def _purpose_codes(out: Extraction, text: str, where) -> None:
    from pcd_screen.engine.refdata import load_refdata

    refdata = load_refdata()
    entries = []
    for match in re.finditer(r"\b(\d{5})\b([^0-9;]{0,60}?(\d{1,3}(?:[.,]\d+)?)\s?%)?", text):
        code = int(match.group(1))
        if not refdata.purpose_code(code):
            continue
        entry = {"code": code}
        if match.group(3):
            share = float(match.group(3).replace(",", "."))
            entry["percentage"] = int(share) if share == int(share) else share
        elif len(re.findall(r"\b\d{5}\b", text)) == 1:
            entry["percentage"] = 100
        out.labels[("oda", "purpose_codes", len(entries))] = where
        out.labels[("oda", "purpose_codes")] = where
        entries.append(entry)
    if entries:
        out.data.setdefault("oda", {})["purpose_codes"] = entries


# The type an applicant writes after an implementer's name ("Caritas Mali, local NGO"), in the
# words of the three languages, as the format's term.
STATED_TYPES = {
    "un agency": "un-agency",
    "agence des nations unies": "un-agency",
    "agence onusienne": "un-agency",
    "vn-organisatie": "un-agency",
    "vn organisatie": "un-agency",
    "local ngo": "local-ngo",
    "ong locale": "local-ngo",
    "ong nationale": "local-ngo",
    "lokale ngo": "local-ngo",
    "international ngo": "international-ngo",
    "ong internationale": "international-ngo",
    "internationale ngo": "international-ngo",
    "trade union": "trade-union",
    "syndicat": "trade-union",
    "vakbond": "trade-union",
}


def _stated_type(text: str) -> tuple[str, str | None]:
    """(name, stated type) of "NAME, TYPE" when TYPE is a type the format knows; else the text
    as the name (a bare "NGO" says neither local nor international: it stays in the name)."""
    if "," not in text:
        return text, None
    head, tail = text.rsplit(",", 1)
    term = _type_term(tail)
    return (head.strip(), term) if term and head.strip() else (text, None)


def _type_term(stated: str) -> str | None:
    """The format's implementer type for a type as written ("UN agency", "ONG locale")."""
    from pcd_screen.core.schemas import load_schema

    folded = fold(stated).strip()
    term = folded.replace(" ", "-")
    if term in load_schema("proposal")["$defs"]["implementer_type"]["enum"]:
        return term
    return STATED_TYPES.get(folded)


def _implementer(out: Extraction, index: int, name: str, stated_type, where, type_where=None):
    if not name:
        return
    kind = _type_term(stated_type) if stated_type else None
    if kind is None:
        folded = fold(" ".join(x for x in (name, stated_type or "") if x))
        kind = next((t for pattern, t in IMPLEMENTER_TYPES if re.search(pattern, folded)), None)
    entry = {"name": name}
    if kind:
        entry["type"] = kind
    items = out.data.setdefault("implementers", [])
    if any(fold(i["name"]) == fold(name) for i in items):
        return
    position = len(items)
    items.append(entry)
    out.labels[("implementers", position)] = where
    if kind:
        out.labels[("implementers", position, "type")] = type_where or where


# --- tables ----------------------------------------------------------------------------------


def _column(header: list[str], pattern: str) -> int | None:
    for index, cell in enumerate(header):
        if re.search(pattern, fold(cell)):
            return index
    return None


def _tables(out: Extraction, blocks: list[Block]) -> None:
    for block in blocks:
        if block.kind != "table" or len(block.rows) < 2:
            continue
        header, rows = block.rows[0], block.rows[1:]
        risk = _column(header, r"\brisk|\brisque|\brisico")
        mitigation = _column(header, r"mitigat|attenua|mesure|beheers|maatregel|response|reponse")
        indicator = _column(header, r"indicat")
        activity = _column(header, r"activit")
        amount = _column(header, r"budget|amount|cost|montant|cout|bedrag|eur|usd")
        implementer = _column(header, r"organi[sz]ation|implement|partner|operateur|uitvoerder")
        if risk is not None and mitigation is not None:
            _risks(out, block, header, rows, risk, mitigation)
        elif indicator is not None:
            _results(out, block, header, rows, indicator)
        elif activity is not None and amount is not None and "activities" not in out.data:
            _activities(out, block, header, rows, activity, amount)
        elif implementer is not None and activity is None:
            kind = _column(header, r"\btype|\brole|\bstatut|\bsoort|nature")
            for r, row in enumerate(rows, start=2):
                if implementer < len(row) and row[implementer]:
                    stated = row[kind] if kind is not None and kind < len(row) else None
                    _implementer(
                        out,
                        r,
                        row[implementer],
                        stated,
                        label(block, r, implementer + 1),
                        label(block, r, (kind if kind is not None else implementer) + 1),
                    )


def _risks(out, block, header, rows, risk, mitigation) -> None:
    likelihood = _column(header, r"likelihood|probab|kans|waarschijnlijk")
    impact = _column(header, r"impact|effect|gevolg")
    items = []
    for r, row in enumerate(rows, start=2):
        if risk >= len(row) or not row[risk]:
            continue
        entry = {"risk": row[risk]}
        for name, column in (
            ("likelihood", likelihood),
            ("impact", impact),
            ("mitigation", mitigation),
        ):
            if column is not None and column < len(row) and row[column]:
                entry[name] = row[column]
                out.labels[("risks", len(items), name)] = label(block, r, column + 1)
        out.labels[("risks", len(items))] = label(block, r)
        out.labels[("risks", len(items), "risk")] = label(block, r, risk + 1)
        items.append(entry)
    if items:
        out.data.setdefault("risks", []).extend(items)


def _results(out, block, header, rows, indicator) -> None:
    statement = _column(header, r"result|outcome|output|objective|resultat|resultaat|doel")
    baseline = _column(header, r"baseline|reference|situation de depart|nulmeting|uitgangs")
    target = _column(header, r"target|cible|streef|doelwaarde")
    results = out.data.setdefault("results", [])
    current = None
    for r, row in enumerate(rows, start=2):
        name = row[indicator] if indicator < len(row) else ""
        said = row[statement] if statement is not None and statement < len(row) else ""
        if said and (current is None or said != current.get("statement")):
            current = {"statement": said, "indicators": []}
            results.append(current)
            out.labels[("results", len(results) - 1)] = label(block, r)
            out.labels[("results", len(results) - 1, "statement")] = label(block, r, statement + 1)
        elif current is None:
            current = {"indicators": []}
            results.append(current)
            out.labels[("results", len(results) - 1)] = label(block, r)
        if not name:
            continue
        item = {"name": name}
        for key, column in (("baseline", baseline), ("target", target)):
            if column is not None and column < len(row) and row[column]:
                item[key] = row[column]
        at = ("results", len(results) - 1, "indicators", len(current["indicators"]))
        out.labels[at] = label(block, r, indicator + 1)
        current["indicators"].append(item)


def _activities(out, block, header, rows, activity, amount) -> None:
    ident = _column(header, r"^(?:id|no|n|nr|code|ref)$")
    description = _column(header, r"description|omschrijving|beschrijving")
    items = []
    for r, row in enumerate(rows, start=2):
        title = row[activity] if activity < len(row) else ""
        if not title or re.match(r"(?i)^\s*(total|totaal|sous-total|subtotal)", title):
            continue
        entry: dict = {}
        at = ("activities", len(items))
        title_column = activity
        if ident is not None and ident < len(row) and row[ident]:
            entry["id"] = row[ident]
        elif (
            description is not None
            and description < len(row)
            and row[description]
            and re.fullmatch(r"\s*[A-Z]?\d+(?:\.\d+)*\s*|\s*[A-Z]\d*\s*", title)
        ):
            # "Activity | Description": the activity column holds only its number (A1); its
            # title is the description
            entry["id"], title = title.strip(), row[description]
            title_column = description
        else:
            match = re.match(r"^([A-Z]?\d+(?:\.\d+)*|[A-Z]\d*)[.):\s]\s*(.+)$", title)
            if match:
                entry["id"], title = match.group(1), match.group(2)
        entry["title"] = title
        out.labels[at] = label(block, r)
        out.labels[(*at, "title")] = label(block, r, title_column + 1)
        if (
            description is not None
            and description < len(row)
            and row[description]
            and title_column != description
        ):
            entry["description"] = row[description]
            out.labels[(*at, "description")] = label(block, r, description + 1)
        money = _money(row[amount]) if amount < len(row) and row[amount] else None
        if money is None and amount < len(row):
            number = (
                _number(row[amount].strip())
                if re.fullmatch(r"[\d .,\u00a0]+", row[amount].strip() or "x")
                else None
            )
            money = (int(number), None) if number is not None else None
        if money:
            entry["budget"] = money[0]
            out.labels[(*at, "budget")] = label(block, r, amount + 1)
        items.append(entry)
    if items:
        out.data["activities"] = items


def _conditions(out: Extraction, blocks: list[Block]) -> None:
    heading_pattern = re.compile(rf"(?:{HEADINGS['conditions']})")
    under = False
    items = []
    for block in blocks:
        if block.kind == "heading":
            under = bool(heading_pattern.search(fold(block.text)))
            continue
        if block.kind != "paragraph":
            continue
        text = _not_denied(block.text)
        folded = fold(text)
        tranche = TRANCHE.search(folded)
        if (under or tranche) and CONDITIONAL.search(folded):
            entry = {"text": text if under else _condition_sentences(text)}
            if re.search(r"\bperformance|indicator|indicateur|indicator", folded):
                pass  # the kind of condition is the officer's call: left unknown
            out.labels[("conditions", len(items))] = label(block)
            out.labels[("conditions", len(items), "text")] = label(block)
            items.append(entry)
    if items:
        out.data["conditions"] = items


def _not_denied(text: str) -> str:
    """The text without its sentences that deny a condition on the money."""
    from pcd_screen.engine.text.sentences import split

    sentences = [text[a:b] for a, b in split(text)]
    kept = [sentence for sentence in sentences if not _denies(fold(sentence))]
    return text if len(kept) == len(sentences) else " ".join(kept)


def _denies(folded: str) -> bool:
    return bool(DENIED_CONDITION.search(folded)) and not UNTIL.search(folded)


def _condition_sentences(text: str) -> str:
    """The sentences of a paragraph of prose that state a condition on money (a tranche
    released only once ...), not the whole paragraph; the paragraph when no one sentence holds
    both (the condition may run over two)."""
    from pcd_screen.engine.text.sentences import split

    kept = []
    for a, b in split(text):
        folded = fold(text[a:b])
        if TRANCHE.search(folded) and CONDITIONAL.search(folded):
            kept.append(text[a:b])
    return " ".join(kept) if kept else text


def _balanced(name: str) -> str:
    """A name without a bracket left open or closed alone by the split of a list."""
    if name.count("(") > name.count(")"):
        name = name + ")" if re.search(r"\([^)]+$", name) else name
    if name.count(")") > name.count("("):
        name = name.rstrip(")")
    return name.strip()
