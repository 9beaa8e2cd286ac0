"""Renderers: results -> report text, one registry by format.

To add an output format, write its module (a function taking the results and the Run, see
Format) and add one Format line below; the --format choices and help, and the config schema's
`formats` pattern (scripts/gen_schema_terms.py), follow from this registry.
"""

from __future__ import annotations

from importlib import import_module
from typing import NamedTuple


# A NamedTuple, not a frozen dataclass: made at import on every run, a dataclass's generated
# methods cost about four times as much (bench/README.md, "Start-up").
class Format(NamedTuple):
    name: str
    target: str  # "module:function", imported only when the format is rendered
    help: str
    # A user's Jinja template (--template) may replace the built-in one.
    templated: bool = False
    # The function serves several formats and takes the format's name (templated.render).
    takes_format: bool = False


FORMATS: dict[str, Format] = {}


def register(spec: Format) -> None:
    FORMATS[spec.name] = spec


for _spec in (
    Format("text", "pcd_screen.reports.templated:render", "the terminal report", takes_format=True),
    Format("md", "pcd_screen.reports.templated:render", "Markdown", True, True),
    Format("html", "pcd_screen.reports.templated:render", "self-contained HTML", True, True),
    Format("json", "pcd_screen.reports.templated:render", "the result object", takes_format=True),
    Format(
        "pdf", "pcd_screen.reports.pdf:render_pdf", "PDF, A4, summary on page 1", takes_format=True
    ),
    Format("sarif", "pcd_screen.reports.sarif:render_sarif", "SARIF 2.1.0 for code scanning"),
    Format("junit", "pcd_screen.reports.junit:render_junit", "JUnit XML for CI test views"),
    Format("github", "pcd_screen.reports.github:render_github", "GitHub Actions annotations"),
    # The letter to the applicant: questions and concerns in neutral wording, no verdict.
    Format("letter", "pcd_screen.reports.templated:render", "letter (Markdown)", takes_format=True),
    Format(
        "letter-html", "pcd_screen.reports.templated:render", "letter (HTML)", takes_format=True
    ),
):
    register(_spec)


def render(fmt: str, results: list, run=None, lang="en", color=False, template=None) -> str:
    """The report of `results` in format `fmt`; run is a reports.common.Run (default: Run()).
    Text for every format but pdf, which gives bytes."""
    spec = FORMATS[fmt]
    module, _, name = spec.target.partition(":")
    function = getattr(import_module(module), name)
    if run is None:
        from pcd_screen.reports.common import Run

        run = Run()
    if spec.takes_format:
        return function(results, fmt, lang=lang, color=color, run=run, template=template)
    return function(results, run)
