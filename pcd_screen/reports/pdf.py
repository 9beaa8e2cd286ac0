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


def layout(html: str):
    """WeasyPrint's laid-out document (pages, with the anchors each holds)."""
    import logging

    from weasyprint import HTML

    # WeasyPrint warns about CSS it ignores (the screen-only rules); the report is still whole.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    return HTML(string=html, url_fetcher=_no_fetch, base_url=None).render()


def html_to_pdf(html: str) -> bytes:
    return layout(html).write_pdf()


def summaries_fit(document, count: int) -> bool:
    """True when each report's summary is one page: its detail starts on the next page."""
    page_of = {}
    for number, page in enumerate(document.pages):
        for anchor in page.anchors:
            page_of.setdefault(anchor, number)
    return all(
        page_of.get(f"detail-{i}", -1) == page_of.get(f"summary-{i}", -2) + 1
        for i in range(1, count + 1)
    )


def render_pdf(results, fmt="pdf", lang="en", color=False, run=None, template=None) -> bytes:
    """The PDF; should a summary still run onto a second page (long titles, long quotes), it is
    set again with fewer lines given to concerns and questions, which the detail lists anyway."""
    from pcd_screen.reports.templated import SUMMARY_LINES, render, summary_lines

    document = None
    for lines in (SUMMARY_LINES, SUMMARY_LINES - 6, SUMMARY_LINES - 12, SUMMARY_LINES - 18, 0):
        token = summary_lines.set(lines)
        try:
            document = layout(render(results, "html", lang=lang, run=run))
        finally:
            summary_lines.reset(token)
        if summaries_fit(document, len(results)):
            break
    return document.write_pdf()
