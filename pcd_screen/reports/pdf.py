"""The report as PDF (A4): the HTML report's print layout set by WeasyPrint, its summary on the
first page and the detail after it.

WeasyPrint over a headless browser: it is a Python library (no browser process to start or
sandbox), lays out paged media from CSS (@page, break-after) and is deterministic. It needs
Pango from the system (README). It is given a URL fetcher that refuses everything but data:
URLs, so a report can never make it fetch a resource."""

from __future__ import annotations


def _no_fetch(url: str, *args, **kwargs):
    if url.startswith("data:"):
        from weasyprint.urls import default_url_fetcher

        return default_url_fetcher(url, *args, **kwargs)
    raise ValueError(f"pcd-screen fetches nothing: {url[:80]}")


def html_to_pdf(html: str) -> bytes:
    import logging

    from weasyprint import HTML

    # WeasyPrint warns about CSS it ignores (the screen-only rules); the report is still whole.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    return HTML(string=html, url_fetcher=_no_fetch, base_url=None).write_pdf()


def render_pdf(results, fmt="pdf", lang="en", color=False, run=None, template=None) -> bytes:
    from pcd_screen.reports.templated import render

    return html_to_pdf(render(results, "html", lang=lang, run=run))
