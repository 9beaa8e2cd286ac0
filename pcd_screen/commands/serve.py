"""`pcd-screen serve`: the desk officer's workbench, a local web app (pcd_screen/web/)."""

from __future__ import annotations

import click

from pcd_screen.commands import common


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8765, show_default=True, type=int, help="Port to listen on.")
@common.config_option
@common.profile_option
@common.rules_option
@common.as_of_option
@common.lang_option
@click.option("--waivers", type=click.Path(dir_okay=False), help="The waivers file to apply.")
@click.option(
    "--max-upload-size",
    callback=common.parse_size,
    help="The largest upload accepted, e.g. '20 MB' (default 20 MB).",
)
def command(host, port, config_file, profile, rule_dirs, as_of, lang, waivers, max_upload_size):
    """Start the workbench: upload a proposal document, review the draft, screen it."""
    import uvicorn

    from pcd_screen.web.app import MAX_UPLOAD, create_app

    overrides = {
        "lang": lang,
        "as_of": as_of,
        "rule_dirs": list(rule_dirs) or None,
        "extends": profile,
        "waivers": waivers,
    }
    settings = common.settings(config_file, overrides)
    session = common.session(settings)
    if host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(
            f"warning: listening on {host}: anyone who can reach this address can use the "
            "workbench and see the proposals in it (there is no login); use 127.0.0.1 unless "
            "you mean it",
            err=True,
        )
    app = create_app(session, settings.lang, max_upload_size or MAX_UPLOAD)
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"pcd-screen workbench: http://{shown}:{port}/  (Ctrl-C stops it)", err=True)
    uvicorn.run(app, host=host, port=port, log_level="warning", server_header=False)
