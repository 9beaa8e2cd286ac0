"""The closed sets every stage names: principles, severities, verdicts, statuses and report
languages. Defined here once; the JSON Schemas' enums are generated from them
(scripts/gen_schema_terms.py, checked by a test), and so are the principle headings' keys."""

from __future__ import annotations

# The five named principles first, then the other themes of the sources (report order).
PRINCIPLES = (
    "no-conditionality",
    "do-no-harm",
    "oda-eligibility",
    "ldc-focus",
    "regional-mobility",
    "human-rights",
    "ownership",
    "migration-for-development",
    "coherence",
    "data-quality",
)
SEVERITIES = ("critical", "high", "medium", "low", "info")  # worst first
KINDS = ("concern", "strength")
STATUSES = ("flag", "waived", "unclear", "pass", "not-applicable")
VERDICTS = ("block", "revise", "clarify", "clear")  # worst first
FAIL_ON = (*VERDICTS[:-1], "never")
RULE_ID = r"[A-Z]{2,4}-[0-9]{3}"  # a rule's id, as the schemas' id pattern has it (DNH-001)
LANGUAGES = ("en", "nl", "fr")
# Regional usage: nl = nl-BE (Flemish, as DGD and Enabel write); nl-NL and fr-BE change a few
# words through locale/variants.yaml, not a second translation.
VARIANTS = ("nl-BE", "nl-NL", "fr-BE")
REPORT_LANGUAGES = LANGUAGES + VARIANTS
