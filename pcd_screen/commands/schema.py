"""`pcd-screen schema NAME`: the published JSON Schemas."""

from __future__ import annotations

import click

SCHEMAS = ("proposal", "rule", "result", "config", "waivers")


@click.command()
@click.argument("name", type=click.Choice(SCHEMAS))
def command(name):
    """Print the JSON Schema of a proposal, a rule, a result, the config file or waivers."""
    import json

    if name == "rule":
        from pcd_screen.engine.ruleset import rule_schema

        document = rule_schema()
    else:
        from pcd_screen.core.schemas import load_schema

        document = load_schema(name)
    click.echo(json.dumps(document, indent=2, ensure_ascii=False))
