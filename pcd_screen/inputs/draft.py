"""A proposal as a YAML file to review: each value followed by a comment naming where in the
document it was found, every field the document did not settle written as null (unknown) with
the vocabulary's definitions as comments. `pcd-screen draft` writes it; the workbench's
"proposal as YAML" download is the same text. The file is a valid proposal as it stands."""

from __future__ import annotations

import json
import re
import textwrap

from pcd_screen.core.proposal import Proposal

# Field -> the vocabulary its terms come from (pcd_screen/data/vocabularies.yaml).
VOCABULARY_OF = {
    "funding_source": "funding_source",
    "selection_criteria": "selection_criterion",
    "target_groups": "target_group",
    "participation": "participant",
    "gender_marker": "gender_marker",
}
ITEM_NULLS = {  # keys shown as null in each list item when the document did not give them
    "activities": ("category",),
    "implementers": ("type",),
    "conditions": ("type", "linked_to"),
}
ITEM_VOCABULARY = {
    ("activities", "category"): "category",
    ("implementers", "type"): "implementer_type",
    ("conditions", "type"): "condition_type",
    ("conditions", "linked_to"): "condition_link",
    ("results", "measures"): "indicator_measure",
}
SKELETON = {  # what a field the document did not give is written as
    "oda": {"reported_as_oda": None, "purpose_codes": None},
    "budget": {"total": None, "currency": None},
    "period": {"start": None, "end": None},
    "ownership": {"requested_by_partner": None, "national_strategy": None},
    "safeguards": {
        name: None
        for name in (
            "do_no_harm_analysis",
            "conflict_analysis",
            "human_rights_risk_assessment",
            "independent_monitoring",
            "grievance_mechanism",
            "mobility_impact_assessment",
            "brain_drain_mitigation",
            "labour_rights_safeguards",
        )
    },
    "transparency": {"documents_public": None},
}
HEADER = """\
# pcd-screen proposal, format version 1: a DRAFT made from {source}.
# Review every value: a comment after it says where in the document it was found. A null is
# unknown (the document did not settle it): answer it, or leave it null and the report will
# ask the applicant. Terms and their definitions: pcd-screen vocab (--lang nl|fr).
"""


def draft_yaml(proposal: Proposal, lang: str = "en") -> str:
    from pcd_screen.core.schemas import load_schema
    from pcd_screen.core.vocabularies import definition, terms

    data = proposal.data
    where = proposal.document.label_of if proposal.document.labels else (lambda path: None)
    lines = [HEADER.format(source=proposal.file).rstrip("\n")]
    order = list(load_schema("proposal")["properties"])

    def comment(text: str, indent: int) -> None:
        for line in textwrap.wrap(text, 96 - indent) or [""]:
            lines.append(" " * indent + "# " + line)

    def definitions(vocabulary: str, indent: int) -> None:
        for term in terms(vocabulary):
            comment(f"{term}: {definition(vocabulary, term, lang)}", indent)

    for key in order:
        value = data.get(key)
        path = (key,)
        if key in ("sections", "risks") and value is None:
            continue
        if key in SKELETON and (value is None or isinstance(value, dict)):
            # what the document gave, and every other part of it as an open question (null)
            value = {**SKELETON[key], **(value or {})}
        if key == "safeguards":
            lines.append(
                "safeguards:                      # true | false | {done: true, reference: ...}"
            )
            for name, item in value.items():
                comment(definition("safeguards", name, lang), 2)
                lines.append(f"  {name}: {_flow(item)}" + _where(where, (*path, name), data))
            continue
        if isinstance(value, dict):
            lines.append(f"{key}:")
            for name, item in value.items():
                lines.append(f"  {name}: {_flow(item)}" + _where(where, (*path, name), data))
            continue
        if isinstance(value, list) and value and isinstance(value[0], dict):
            if key == "activities":
                comment("category: one of the terms below (the activity's primary purpose)", 0)
                definitions("category", 0)
            if key == "results":
                comment("measures: what an indicator measures, one of:", 0)
                definitions("indicator_measure", 0)
            lines.append(f"{key}:")
            for index, item in enumerate(value):
                shown = dict(item)
                for name in ITEM_NULLS.get(key, ()):
                    shown.setdefault(name, None)
                lines.append(f"  - {_flow(shown)}" + _where(where, (*path, index), data))
            if key in ("implementers", "conditions"):
                for (field, name), vocabulary in ITEM_VOCABULARY.items():
                    if field == key:
                        comment(f"{name}: one of {', '.join(terms(vocabulary))}", 2)
            continue
        if value is None and key in VOCABULARY_OF:
            definitions(VOCABULARY_OF[key], 0)
        if isinstance(value, str) and ("\n" in value or len(value) > 90):
            lines.append(f"{key}: |-" + _where(where, path, data))
            for line in value.split("\n"):
                lines.append(("  " + line).rstrip())
            continue
        lines.append(f"{key}: {_flow(value)}" + _where(where, path, data))
    return "\n".join(lines) + "\n"


def _where(where, path, data) -> str:
    label = where(path) if _present(data, path) else None
    return f"  # {label}" if label else ""


def _present(data, path) -> bool:
    node = data
    for key in path:
        if (
            isinstance(node, dict)
            and key in node
            or isinstance(node, list)
            and isinstance(key, int)
            and key < len(node)
        ):
            node = node[key]
        else:
            return False
    return node is not None


def _scalar(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    text = str(value)
    if (
        re.fullmatch(r"[A-Za-z][A-Za-z0-9 ._/()-]*", text)
        and text.strip() == text
        and text.lower() not in ("yes", "no", "on", "off", "true", "false", "null", "y", "n")
    ):
        return text
    return json.dumps(text, ensure_ascii=False)


def _flow(value) -> str:
    """A value on one line, in YAML flow style (JSON's quoting for text)."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    return _scalar(value)
