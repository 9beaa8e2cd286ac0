"""`pcd-screen rules ...`: the catalogue listed, shown, validated, tested, published and
compared."""

from __future__ import annotations

import sys

import click

from pcd_screen.commands import common
from pcd_screen.commands.common import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, Failure
from pcd_screen.core.terms import REPORT_LANGUAGES


@click.group("rules")
def command():
    """List, show, validate and test the rule catalogue."""


@command.command("list")
@common.rules_option
@click.option("--lang", type=click.Choice(REPORT_LANGUAGES), default="en")
def rules_list(rule_dirs, lang):
    """One line per rule: id, principle, severity, kind, sources, title."""
    ruleset = common.load_ruleset(rule_dirs)
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


@command.command("show")
@click.argument("rule_id")
@common.rules_option
@click.option("--lang", type=click.Choice(REPORT_LANGUAGES), default="en")
@click.option("--explain", is_flag=True, help="The conditions as plain sentences.")
def rules_show(rule_id, rule_dirs, lang, explain):
    """Show one rule in full, as YAML, or (--explain) its conditions in plain language."""
    import yaml

    ruleset = common.load_ruleset(rule_dirs)
    rule = ruleset.get(rule_id)
    if rule is None:
        raise Failure(f"no rule {rule_id!r}; see `pcd-screen rules list`")
    if explain:
        from pcd_screen.reports.explain import explain_rule

        click.echo(f"{rule.id} · {rule.principle} · {rule.text('title', lang)}")
        click.echo("\n".join(explain_rule(rule, lang)))
        return
    click.echo(f"# {rule.file}:{rule.line}")
    shown = rule.raw
    if "tests" not in shown and rule.fixtures():
        # Kept apart in the bundle, whose keys are sorted: put back in their place.
        shown = dict(sorted({**shown, "tests": rule.fixtures()}.items()))
    click.echo(yaml.safe_dump(shown, sort_keys=False, allow_unicode=True, width=100), nl=False)


def _run_fixtures(directory, verbose, fail_on_untested=True):
    from pcd_screen.engine.refdata import load_refdata
    from pcd_screen.engine.ruleset import missing_translations
    from pcd_screen.runs.fixtures import coverage_gaps, fixture_session, run_fixtures

    if directory:
        ruleset = common.load_ruleset([directory], validate=True, builtin=False)
    else:
        ruleset = common.load_ruleset(validate=True)
    untranslated = missing_translations(ruleset)
    if untranslated:
        raise Failure("missing translations:\n" + "\n".join(map(str, untranslated)))
    session = fixture_session(ruleset, load_refdata())
    results = run_fixtures(session)
    failed = [r for r in results if not r.passed]
    for result in results if verbose else failed:
        mark = "PASS" if result.passed else "FAIL"
        line = (
            f"{mark} {result.rule_id} #{result.index + 1} {result.name}: expected {result.expected}"
        )
        if not result.passed:
            line += f", got {result.actual}" + (f" ({result.detail})" if result.detail else "")
        click.echo(line)
    gaps = [(r.id, gap) for r in ruleset.rules for gap in coverage_gaps(r, session)]
    for rule_id, gap in gaps:
        click.echo(f"GAP  {rule_id}: {gap}")
    click.echo(
        f"{len(ruleset.rules)} rules, {len(results)} fixtures: "
        f"{len(results) - len(failed)} passed, {len(failed)} failed, {len(gaps)} coverage gaps"
    )
    return 1 if failed or (gaps and fail_on_untested) else 0


@command.command("validate")
@click.argument("directory", required=False, type=click.Path(file_okay=False))
def rules_validate(directory):
    """Check rule files (schema, ids, sources, lexicon) and run every fixture. Exit 2 if invalid."""
    code = _run_fixtures(directory, verbose=False)
    sys.exit(EXIT_ERROR if code else EXIT_OK)


@command.command("test")
@click.argument("directory", required=False, type=click.Path(file_okay=False))
@click.option(
    "--fail-on-untested",
    is_flag=True,
    help="Also exit 1 when a rule lacks a must-flag or must-not-flag fixture, or a fixture "
    "tests nothing.",
)
def rules_test(directory, fail_on_untested):
    """Run every rule fixture and print PASS/FAIL per fixture. Exit 1 on a failure."""
    sys.exit(_run_fixtures(directory, verbose=True, fail_on_untested=fail_on_untested))


@command.command("doc")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(("md", "html", "csv")),
    multiple=True,
    help="Formats to write (default: all three).",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False),
    default="docs/catalogue",
    show_default=True,
)
@click.option("--lang", type=click.Choice(REPORT_LANGUAGES), default="en")
@common.rules_option
def rules_doc(fmt, out_dir, lang, rule_dirs):
    """Write the published catalogue: every rule, its condition in words and its sources."""
    from pathlib import Path

    from pcd_screen.reports.catalogue import FORMATS, render_catalogue

    ruleset = common.load_ruleset(rule_dirs)
    for name in fmt or FORMATS:
        target = Path(out_dir) / FORMATS[name]
        common.write(
            str(target), render_catalogue(ruleset, name, lang), within=out_dir, make_folders=True
        )
        click.echo(f"wrote {target}", err=True)


@command.command("diff")
@click.argument("old_dir", type=click.Path(file_okay=False, exists=True))
@click.argument("new_dir", type=click.Path(file_okay=False, exists=True))
@click.option("--corpus", required=True, multiple=True, help="Proposal files or folders.")
@common.as_of_option
def rules_diff(old_dir, new_dir, corpus, as_of):
    """Screen a corpus with two rule folders and list every proposal whose verdict or findings
    change. Exit 1 when something changes, 0 when nothing does."""
    from datetime import date

    from pcd_screen.core.located import LoadError
    from pcd_screen.engine.refdata import load_refdata
    from pcd_screen.engine.session import Session
    from pcd_screen.inputs.discover import NothingFound, discover
    from pcd_screen.inputs.proposal import load_proposal
    from pcd_screen.runs.rulesdiff import compare, describe

    old = common.load_ruleset([old_dir], validate=True, builtin=False)
    new = common.load_ruleset([new_dir], validate=True, builtin=False)
    try:
        files = discover(list(corpus))
        proposals = [load_proposal(f) for f in files]
    except NothingFound as exc:
        raise click.UsageError(str(exc)) from None
    except LoadError as exc:
        raise Failure(str(exc)) from None
    refdata, day = load_refdata(), as_of or date.today()
    changes = compare(proposals, Session(old, refdata, day), Session(new, refdata, day))
    click.echo(describe(changes, len(proposals)), nl=False)
    sys.exit(EXIT_FINDINGS if changes else EXIT_OK)
