"""`pcd-screen vocab [NAME]`: the proposal format's vocabularies with their definitions."""

from __future__ import annotations

import click

from pcd_screen.commands import common
from pcd_screen.commands.common import Failure


@click.command()
@click.argument("name", required=False)
@common.lang_option
def command(name, lang):
    """List the vocabularies, or the terms of one (NAME: category, implementer_type, ...), with
    their definitions; NAME may also be a term (livelihoods-jobs) or a word to look up."""
    from pcd_screen.core.vocabularies import suggest, vocabularies

    lang = lang or "en"
    found = vocabularies()
    if name is None:
        for vocabulary, terms in found.items():
            click.echo(f"{vocabulary}: {', '.join(terms)}")
        click.echo("\npcd-screen vocab NAME shows the definitions (--lang nl|fr).")
        return
    key = name.replace("-", "_")
    if key in found or key.rstrip("s") in found:
        vocabulary = key if key in found else key.rstrip("s")
        click.echo(f"{vocabulary}\n")
        for term, texts in found[vocabulary].items():
            click.echo(f"  {term}")
            click.echo(f"      {texts.get(lang) or texts['en']}")
        return
    shown = [(v, name) for v, terms in found.items() if name in terms]
    if not shown:
        shown = [(v, t) for v, terms in found.items() if (t := suggest(name, list(terms), v))]
        if not shown:
            raise Failure(f"{name!r} is neither a vocabulary nor a term; see: pcd-screen vocab")
        click.echo(f"no term {name!r}; the closest by spelling or definition:", err=True)
    for vocabulary, term in shown:
        texts = found[vocabulary][term]
        click.echo(f"{term}  ({vocabulary})\n    {texts.get(lang) or texts['en']}")
