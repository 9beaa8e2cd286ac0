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
REPORT_LANGUAGES = ("en", "nl", "fr")
