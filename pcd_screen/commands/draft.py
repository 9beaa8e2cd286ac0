"""`pcd-screen draft DOCUMENT`: a proposal file pre-filled from a Word, PDF or other document,
each value with a comment naming where it was found; the rest left null (unknown) with the
vocabulary's definitions as comments, for the desk officer to review."""

from __future__ import annotations

import click

from pcd_screen.commands import common
from pcd_screen.commands.common import Failure


@click.command()
@click.argument("document", type=click.Path(dir_okay=False, exists=True))
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False),
    help="Write the draft to this file (default: print it).",
)
@click.option("--force", is_flag=True, help="Overwrite an existing output file.")
@common.lang_option
@common.max_size_option
def command(document, output, force, lang, max_file_size):
    """Draft a proposal file from DOCUMENT (.docx, .odt, .pdf, .txt, .md, .html)."""
    import os

    from pcd_screen.inputs import documents
    from pcd_screen.inputs.draft import draft_yaml

    if documents.kind_of(document) is None:
        raise Failure(
            f"{document}: not a document kind draft reads ({', '.join(documents.SUFFIXES)})"
        )
    if output and os.path.exists(output) and not force:
        raise Failure(f"{output} exists; use --force to overwrite it")
    items = list(documents.read_records(document, max_size=max_file_size))
    if isinstance(items[0], str):
        raise Failure(items[0])
    common.write(output, draft_yaml(items[0], lang or "en"))
    if output:
        click.echo(
            f"wrote {output}: review it, answer the nulls, then: pcd-screen screen {output}",
            err=True,
        )
