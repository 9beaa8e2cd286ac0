"""Command line: wires loading, the engine and the renderers together. No logic of its own.

Heavy modules are imported inside the commands so that start-up stays fast.
Exit codes: 0 below the --fail-on threshold, 1 at or above it, 2 usage, input or rule error.
"""

from __future__ import annotations

import sys
from datetime import date

import click

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
FORMATS = ("text", "md", "html", "json")
FAIL_ON = ("block", "revise", "clarify", "never")
# Report languages whose strings are complete; Dutch and French follow with the translations.
REPORT_LANGUAGES = ("en",)


class Failure(click.ClickException):
    """An input, rule or usage problem: printed without a traceback, exit code 2."""

    exit_code = EXIT_ERROR

    def show(self, file=None):
        click.echo(self.format_message(), err=True)


def _parse_date(_ctx, _param, value):
    if value is None:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (expected YYYY-MM-DD)") from None


def _load_ruleset(extra_dirs):
    from pcd_screen.rules import load_ruleset
    from pcd_screen.yamlload import LoadError

    try:
        return load_ruleset(extra_dirs)
    except LoadError as exc:
        raise Failure(f"invalid rules:\n{exc}") from None


def _write(output, text: str) -> None:
    """Print, or write the whole text to a file atomically (never a partial report)."""
    if output is None or output == "-":
        click.echo(text, nl=not text.endswith("\n"))
        return
    from pcd_screen.outputs import write_atomic

    try:
        write_atomic(output, text)
    except OSError as exc:
        raise Failure(f"{output}: cannot write: {exc.strerror}") from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="pcd-screen", prog_name="pcd-screen")
def cli():
    """Screen development-cooperation proposals for policy coherence for development."""


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option(
    "--format", "-f", "fmt", type=click.Choice(FORMATS), default="text", show_default=True
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False),
    help="Write the report here instead of stdout.",
)
@click.option(
    "--as-of", callback=_parse_date, help="Screen as of this date (YYYY-MM-DD); default today."
)
@click.option(
    "--fail-on",
    type=click.Choice(FAIL_ON),
    default="revise",
    show_default=True,
    help="Exit 1 when a verdict is this bad or worse.",
)
@click.option(
    "--rules",
    "rule_dirs",
    multiple=True,
    type=click.Path(file_okay=False),
    help="An extra rule directory, added to the built-in rules (repeatable).",
)
@click.option("--lang", type=click.Choice(REPORT_LANGUAGES), default="en", show_default=True)
@click.option(
    "--color/--no-color", default=None, help="Colour the text report (default: on a terminal)."
)
def screen(files, fmt, output, as_of, fail_on, rule_dirs, lang, color):
    """Screen proposal FILES (YAML or JSON) and print a report."""
    from pcd_screen.engine import evaluate
    from pcd_screen.proposal import load_proposal
    from pcd_screen.refdata import load_refdata
    from pcd_screen.render import render
    from pcd_screen.result import VERDICTS
    from pcd_screen.yamlload import LoadError

    ruleset = _load_ruleset(rule_dirs)
    refdata = load_refdata()
    proposals, errors = [], []
    for file in files:
        try:
            proposals.append(load_proposal(file))
        except LoadError as exc:
            errors.append(str(exc))
    if errors:
        raise Failure("\n".join(errors))
    results = [evaluate(p, ruleset, refdata, as_of, lang) for p in proposals]
    if color is None:
        color = fmt == "text" and output is None and sys.stdout.isatty()
    _write(output, render(results, fmt, lang=lang, color=color))
    if fail_on == "never":
        sys.exit(EXIT_OK)
    worst = min(VERDICTS.index(r.verdict) for r in results)
    sys.exit(EXIT_FINDINGS if worst <= VERDICTS.index(fail_on) else EXIT_OK)


@cli.group()
def rules():
    """List, show, validate and test the rule catalogue."""


_rules_option = click.option(
    "--rules",
    "rule_dirs",
    multiple=True,
    type=click.Path(file_okay=False),
    help="An extra rule directory (repeatable).",
)


@rules.command("list")
@_rules_option
@click.option("--lang", type=click.Choice(REPORT_LANGUAGES), default="en")
def rules_list(rule_dirs, lang):
    """One line per rule: id, principle, severity, kind, sources, title."""
    ruleset = _load_ruleset(rule_dirs)
    for rule in ruleset.rules:
        sources = ", ".join(f"{s['doc']} {s['section']}" for s in rule.sources)
        click.echo(
            f"{rule.id:8} {rule.principle:26} {rule.severity:8} {rule.kind:8} "
            f"{rule.text('title', lang)}  [{sources}]"
        )
    principles = sorted({r.principle for r in ruleset.rules})
    click.echo(
        f"\n{len(ruleset.rules)} rules across {len(principles)} principles; ruleset {ruleset.hash}"
    )


@rules.command("show")
@click.argument("rule_id")
@_rules_option
@click.option("--lang", type=click.Choice(REPORT_LANGUAGES), default="en")
def rules_show(rule_id, rule_dirs, lang):
    """Show one rule in full, as YAML."""
    import yaml

    ruleset = _load_ruleset(rule_dirs)
    rule = ruleset.get(rule_id)
    if rule is None:
        raise Failure(f"no rule {rule_id!r}; see `pcd-screen rules list`")
    click.echo(f"# {rule.file}:{rule.line}")
    click.echo(yaml.safe_dump(rule.raw, sort_keys=False, allow_unicode=True, width=100), nl=False)


def _run_fixtures(directory, verbose):
    from pcd_screen.fixtures import coverage_gaps, run_fixtures
    from pcd_screen.refdata import load_refdata
    from pcd_screen.rules import load_ruleset
    from pcd_screen.yamlload import LoadError

    try:
        if directory:
            ruleset = load_ruleset([directory], validate=True, builtin=False)
        else:
            ruleset = load_ruleset(validate=True)
    except LoadError as exc:
        raise Failure(f"invalid rules:\n{exc}") from None
    results = run_fixtures(ruleset, load_refdata())
    failed = [r for r in results if not r.passed]
    for result in results if verbose else failed:
        mark = "PASS" if result.passed else "FAIL"
        line = (
            f"{mark} {result.rule_id} #{result.index + 1} {result.name}: expected {result.expected}"
        )
        if not result.passed:
            line += f", got {result.actual}" + (f" ({result.detail})" if result.detail else "")
        click.echo(line)
    gaps = [(rule.id, gap) for rule in ruleset.rules for gap in coverage_gaps(rule)]
    for rule_id, gap in gaps:
        click.echo(f"GAP  {rule_id}: {gap}")
    click.echo(
        f"{len(ruleset.rules)} rules, {len(results)} fixtures: "
        f"{len(results) - len(failed)} passed, {len(failed)} failed, {len(gaps)} coverage gaps"
    )
    return 1 if failed or gaps else 0


@rules.command("validate")
@click.argument("directory", required=False, type=click.Path(file_okay=False))
def rules_validate(directory):
    """Check rule files (schema, ids, sources, lexicon) and run every fixture. Exit 2 if invalid."""
    code = _run_fixtures(directory, verbose=False)
    sys.exit(EXIT_ERROR if code else EXIT_OK)


@rules.command("test")
@click.argument("directory", required=False, type=click.Path(file_okay=False))
def rules_test(directory):
    """Run every rule fixture and print PASS/FAIL per fixture. Exit 1 on a failure."""
    sys.exit(_run_fixtures(directory, verbose=True))


@cli.command()
@click.argument("name", type=click.Choice(("proposal", "rule", "result")))
def schema(name):
    """Print the JSON Schema of a proposal, a rule or a result."""
    import json

    if name == "rule":
        from pcd_screen.rules import rule_schema

        document = rule_schema()
    else:
        from pcd_screen.proposal import load_schema

        document = load_schema(name)
    click.echo(json.dumps(document, indent=2, ensure_ascii=False))


@cli.command()
def refdata():
    """List the reference-data tables with their source and version."""
    from pcd_screen.refdata import load_refdata

    for table in load_refdata().tables():
        click.echo(f"{table['name']}  (version {table['version']}, {table.get('rows', '?')} rows)")
        click.echo(f"  {table['title']}")
        click.echo(f"  source: {table['source']}")
        if table.get("coverage"):
            click.echo(f"  coverage: {table['coverage']}")
        for gap in table.get("gaps") or []:
            click.echo(f"  gap: {gap}")


@cli.command()
@click.argument("path", required=False, type=click.Path(dir_okay=False), default="proposal.yaml")
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
def init(path, force):
    """Write a commented proposal template (valid as it stands) to PATH."""
    import os

    from pcd_screen.paths import DATA_DIR

    if os.path.exists(path) and not force:
        raise Failure(f"{path} exists; use --force to overwrite it")
    _write(path, (DATA_DIR / "proposal-template.yaml").read_text(encoding="utf-8"))
    click.echo(f"wrote {path}; fill it in, then run: pcd-screen screen {path}", err=True)


def main():
    cli(prog_name="pcd-screen")


if __name__ == "__main__":  # pragma: no cover
    main()
