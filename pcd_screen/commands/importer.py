"""`pcd-screen import iati|csv`: published portfolio data as proposal files."""

from __future__ import annotations

import sys

import click

from pcd_screen.commands import common
from pcd_screen.commands.common import EXIT_ERROR, EXIT_OK


@click.group("import")
def command():
    """Turn published portfolio data (a spreadsheet, IATI XML) into proposal files."""


@command.command("csv")
@click.argument("file", type=click.Path(dir_okay=False))
@common.out_option("Folder for the proposal files (one YAML file per row).")
@common.max_size_option
@common.mapping_options
@click.option(
    "--save-map",
    type=click.Path(dir_okay=False),
    help="Write the column mapping used to this file (a mapping file for --map-file).",
)
def import_csv(file, out_dir, max_file_size, column_map, map_file, constants, save_map):
    """One proposal per row of a CSV export (columns: docs/import.md). Columns the format does
    not know are mapped by name and values, or kept as x- fields; the mapping used is printed.
    Bad rows are reported and skipped; the exit status is 2 if there were any."""
    from pcd_screen.inputs.csvtable import read_records, suggest_mapping

    mapping = common.load_mapping(column_map, map_file, constants) or {}
    columns, constant_values = mapping.get("columns"), mapping.get("constants")
    if save_map:
        import yaml

        from pcd_screen.core.located import LoadError

        try:
            used = {"columns": suggest_mapping(file, columns, max_file_size)}
        except LoadError as exc:  # no mapping is saved for a file that cannot be read
            raise common.Failure(str(exc)) from None
        if constant_values:
            used["constants"] = constant_values
        common.write(save_map, yaml.safe_dump(used, sort_keys=False, allow_unicode=True))
        click.echo(f"column mapping written to {save_map}", err=True)
    _write_imported(
        read_records(file, max_size=max_file_size, column_map=columns, constants=constant_values),
        out_dir,
        file,
    )


@command.command("iati")
@click.argument("file", type=click.Path(dir_okay=False))
@common.out_option("Folder for the proposal files (one YAML file per activity).")
@click.option(
    "--lang",
    default="en",
    show_default=True,
    help="Language of the narratives to take (falls back to the activity's default).",
)
@common.max_size_option
def import_iati(file, out_dir, lang, max_file_size):
    """One proposal per activity of an IATI XML file (2.01-2.03), read as a stream. A bad
    activity is reported and skipped; the exit status is 2 if there were any."""
    from pcd_screen.inputs.iati import read_records

    _write_imported(read_records(file, lang, max_file_size), out_dir, file)


def _write_imported(items, out_dir, source: str) -> None:
    """Write each imported proposal as YAML, report each error; exit 2 if any input was bad."""
    from pathlib import Path

    import yaml

    from pcd_screen.core.outputs import base_name, safe_name
    from pcd_screen.inputs import is_note

    written, errors, taken = 0, 0, set()
    for item in items:
        if not isinstance(item, dict):
            click.echo(common.log_safe(str(item)), err=True)
            errors += 0 if is_note(str(item)) else 1
            continue
        name = safe_name(str(item["id"]), taken)
        if name != base_name(str(item["id"])):
            click.echo(
                f"{source}: proposal id {item['id']!r} gives the same file name as another: "
                f"{name}.yaml",
                err=True,
            )
        target = Path(out_dir) / f"{name}.yaml"
        common.write(
            str(target),
            yaml.safe_dump(item, sort_keys=False, allow_unicode=True, width=100),
            within=out_dir,
            make_folders=True,
        )
        written += 1
    click.echo(f"{written} proposals written to {out_dir}, {errors} problems", err=True)
    sys.exit(EXIT_ERROR if errors else EXIT_OK)
