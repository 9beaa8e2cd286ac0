"""The workbench's web application (Starlette): routes, limits, CSRF, security headers.

Every page is rendered on the server; the one script (static/workbench.js, shipped with the
package) only submits the form when an answer changes. Pages carry a Content-Security-Policy
that allows scripts, styles and requests from the workbench itself only. Every POST carries the
session's CSRF token (kept in a signed, HttpOnly, SameSite=Strict cookie). Uploads are limited
in size and kept in memory; a document is read within the limits of inputs/documents/guard.py.
"""

from __future__ import annotations

import copy
import secrets
import threading
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from pcd_screen.core.terms import REPORT_LANGUAGES
from pcd_screen.inputs.documents.model import DocumentBusy
from pcd_screen.web.workspaces import Decision, Store

HERE = Path(__file__).parent
MAX_UPLOAD = 20 * 1024 * 1024
MAX_FORM_FIELDS = 5000  # fields a posted form may carry (rows of a list: form.MAX_LIST_ITEMS)
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; connect-src 'self'; base-uri 'none'; frame-ancestors 'none'"
)
PROPOSAL_SUFFIXES = (".yaml", ".yml", ".json")
# Screening and rendering are CPU-bound Python: more at once is no faster, only larger (some
# 40 MB each for a proposal at the text limit; 8 at once took the server to 1.5 GB).
MAX_CONCURRENT_SCREENINGS = 2
SCREEN_QUEUE_SECONDS = 30.0  # how long a view waits for its turn before it is answered 503
_screenings = threading.BoundedSemaphore(MAX_CONCURRENT_SCREENINGS)


class Workbench:
    """The application's state: the screening session, the workspaces, the page templates."""

    def __init__(self, session, lang: str = "en", max_upload: int = MAX_UPLOAD):
        self.session = session
        self.lang = lang
        self.max_upload = max_upload
        self.store = Store()
        self._sessions = {session.lang: session}

    def session_for(self, lang: str):
        """The session in a report language: the same ruleset, settings and waivers."""
        import dataclasses

        if lang not in self._sessions:
            self._sessions[lang] = dataclasses.replace(self.session, lang=lang)
        return self._sessions[lang]

    # --- helpers -------------------------------------------------------------------------

    def env(self, lang: str):
        return _environment(lang)

    def page(self, request: Request, template: str, status: int = 200, **context) -> HTMLResponse:
        lang = self.lang_of(request)
        html = (
            self.env(lang)
            .get_template(template)
            .render(lang=lang, langs=REPORT_LANGUAGES, csrf=_csrf(request), **context)
        )
        return HTMLResponse(html, status_code=status)

    def lang_of(self, request: Request) -> str:
        wanted = request.query_params.get("lang")
        if wanted in REPORT_LANGUAGES:
            request.session["lang"] = wanted
        return request.session.get("lang") or self.lang

    def owner(self, request: Request) -> str:
        if "owner" not in request.session:
            request.session["owner"] = secrets.token_urlsafe(16)
        return request.session["owner"]

    def screen(self, workspace, lang: str):
        """(proposal, result) of a workspace, screened through the session (None, None when the
        answers do not make a valid proposal: their errors are in workspace.errors)."""
        from pcd_screen.core.located import Document, LoadError
        from pcd_screen.inputs.proposal import validate_document

        document = Document(data=workspace.data, file=workspace.source, labels=workspace.labels)
        try:
            proposal = validate_document(document)
        except LoadError as exc:
            workspace.errors = [e.field_and_message() for e in exc.errors]
            return None, None
        workspace.errors = []
        session = self.session_for(lang)
        result = session.screen(proposal)
        if session.waivers is not None:  # the organisation keeps waivers: see _provisional
            provisional = _provisional(workspace, session.as_of)
            if provisional:
                from pcd_screen.engine.waivers import apply_waivers

                result = apply_waivers([result], provisional, session.as_of).results[0]
        return proposal, result


def _environment(lang: str):
    import jinja2

    from pcd_screen.reports.jinja import configure

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(HERE / "templates")),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    return configure(env, lang)


def _csrf(request: Request) -> str:
    if "csrf" not in request.session:
        request.session["csrf"] = secrets.token_urlsafe(32)
    return request.session["csrf"]


async def _form(request: Request, app: Workbench):
    """The posted form, refused when too large or without the session's CSRF token."""
    length = request.headers.get("content-length")
    if length is None or not length.isdigit():
        raise _Refused(411, "a length is required")
    if int(length) > app.max_upload + 64 * 1024:
        raise _Refused(413, f"too large: uploads up to {app.max_upload // (1024 * 1024)} MB")
    form = await request.form(max_files=1, max_fields=MAX_FORM_FIELDS, max_part_size=1024 * 1024)
    token = form.get("csrf") or ""
    expected = request.session.get("csrf") or ""
    if not expected or not secrets.compare_digest(str(token), expected):
        raise _Refused(403, "the form has expired or did not come from this workbench: reload")
    return form


class _Busy(Exception):
    """No reader free for an uploaded document: 503, try again."""


def _in_turn(work, *args):
    """work(*args) once one of the MAX_CONCURRENT_SCREENINGS turns is free (in a worker
    thread); _Busy when none is within SCREEN_QUEUE_SECONDS."""
    if not _screenings.acquire(timeout=SCREEN_QUEUE_SECONDS):
        raise _Busy(
            f"refused for now: {MAX_CONCURRENT_SCREENINGS} proposals are being screened; try "
            "again in a minute"
        )
    try:
        return work(*args)
    finally:
        _screenings.release()


class _Refused(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def create_app(session, lang: str = "en", max_upload: int = MAX_UPLOAD) -> Starlette:
    from starlette.formparsers import MultiPartParser

    # An upload up to the limit stays in memory (never spooled to a temporary file).
    MultiPartParser.spool_max_size = max_upload + 1
    app = Workbench(session, lang, max_upload)

    max_mb = max_upload // (1024 * 1024)

    def refuse(request, status, error):
        return app.page(request, "start.html.j2", status, error=error, max_mb=max_mb)

    async def start(request: Request):
        app.owner(request)
        return app.page(request, "start.html.j2", max_mb=max_mb)

    async def upload(request: Request):
        try:
            form = await _form(request, app)
        except _Refused as exc:
            return app.page(
                request,
                "start.html.j2",
                exc.status,
                error=str(exc),
                max_mb=max_upload // (1024 * 1024),
            )
        owner = app.owner(request)
        if form.get("empty"):
            data = {"schema_version": 1, "id": "NEW-PROPOSAL", "title": "Untitled proposal"}
            workspace = app.store.add(owner, data, {}, "empty form")
            return RedirectResponse(f"/w/{workspace.id}", status_code=303)
        upload = form.get("document")
        name = getattr(upload, "filename", None) or ""
        if not name:
            return app.page(
                request,
                "start.html.j2",
                400,
                error="choose a file first",
                max_mb=max_upload // (1024 * 1024),
            )
        limit = _upload_limit(name, max_upload)
        content = await upload.read(limit + 1)
        if len(content) > limit:
            return app.page(
                request,
                "start.html.j2",
                413,
                error=f"{name}: too large (at most {limit:,} bytes for this kind of file)",
                max_mb=max_upload // (1024 * 1024),
            )
        try:
            # A document is read in a child process; the server keeps answering meanwhile.
            data, labels = await run_in_threadpool(_read_upload, name, content)
        except _Busy as exc:
            return app.page(
                request, "start.html.j2", 503, error=str(exc), max_mb=max_upload // (1024 * 1024)
            )
        except ValueError as exc:
            return app.page(
                request, "start.html.j2", 400, error=str(exc), max_mb=max_upload // (1024 * 1024)
            )
        workspace = app.store.add(owner, data, labels, name)
        return RedirectResponse(f"/w/{workspace.id}", status_code=303)

    def workspace_of(request: Request):
        return app.store.get(request.path_params["wid"], app.owner(request))

    async def show(request: Request):
        workspace = workspace_of(request)
        if workspace is None:
            return RedirectResponse("/", status_code=303)
        lang = app.lang_of(request)
        # Screening and rendering take CPU time: off the event loop, other clients go on.
        try:
            return await run_in_threadpool(_in_turn, _workbench_page, app, request, workspace, lang)
        except _Busy as exc:
            return PlainTextResponse(str(exc), status_code=503)

    async def answers(request: Request):
        workspace = workspace_of(request)
        if workspace is None:
            return RedirectResponse("/", status_code=303)
        try:
            form = await _form(request, app)
        except _Refused as exc:
            return PlainTextResponse(str(exc), status_code=exc.status)
        from pcd_screen.web.form import TooManyItems, parse

        try:
            workspace.data = parse(form, workspace.data)
        except TooManyItems as exc:
            return PlainTextResponse(str(exc), status_code=413)
        app.store.changed(workspace)
        workspace.officer = (form.get("officer") or workspace.officer or "").strip()[:120]
        return RedirectResponse(f"/w/{workspace.id}#report", status_code=303)

    async def decide(request: Request):
        workspace = workspace_of(request)
        if workspace is None:
            return RedirectResponse("/", status_code=303)
        try:
            form = await _form(request, app)
        except _Refused as exc:
            return PlainTextResponse(str(exc), status_code=exc.status)
        rule = str(form.get("rule") or "")
        choice = str(form.get("decision") or "")
        reason = str(form.get("reason") or "").strip()[:2000]
        officer = str(form.get("officer") or workspace.officer or "").strip()[:120]
        try:
            _proposal, result = await run_in_threadpool(
                _in_turn, app.screen, workspace, app.lang_of(request)
            )
        except _Busy as exc:
            return PlainTextResponse(str(exc), status_code=503)
        finding = next((f for f in result.findings if f.rule_id == rule), None) if result else None
        if finding is None or choice not in ("agree", "disagree"):
            return PlainTextResponse("no such finding or decision", status_code=400)
        # A disagreement becomes a waiver, which needs a reason and an approver (docs/waivers):
        # refused, not dropped, and said beside the finding.
        from pcd_screen.core.i18n import N_

        if choice == "disagree" and not reason:
            workspace.refused[rule] = N_("Not recorded: a disagreement needs a reason.")
            return RedirectResponse(f"/w/{workspace.id}#f-{rule}", status_code=303)
        if choice == "disagree" and not officer:
            workspace.refused[rule] = N_(
                "Not recorded: a disagreement needs your name, as the approver of its waiver."
            )
            return RedirectResponse(f"/w/{workspace.id}#f-{rule}", status_code=303)
        workspace.refused.pop(rule, None)
        workspace.officer = officer
        workspace.decisions[rule] = Decision(
            rule,
            finding.status,
            choice,
            reason,
            officer or "(not named)",
            datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
            result.ruleset["hash"],
            str(workspace.data.get("id")),
        )
        return RedirectResponse(f"/w/{workspace.id}#f-{rule}", status_code=303)

    async def download(request: Request):
        workspace = workspace_of(request)
        if workspace is None:
            return RedirectResponse("/", status_code=303)
        what = request.path_params["what"]
        lang = app.lang_of(request)
        # Screening and rendering take CPU time: off the event loop, other clients go on.
        try:
            return await run_in_threadpool(_in_turn, _download, app, workspace, what, lang)
        except _Busy as exc:
            return PlainTextResponse(str(exc), status_code=503)

    async def no_icon(request: Request):
        return Response(status_code=204)

    routes = [
        Route("/", start),
        Route("/favicon.ico", no_icon),
        Route("/upload", upload, methods=["POST"]),
        Route("/w/{wid}", show),
        Route("/w/{wid}/answers", answers, methods=["POST"]),
        Route("/w/{wid}/decision", decide, methods=["POST"]),
        Route("/w/{wid}/download/{what}", download),
        Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static"),
    ]
    middleware = [
        Middleware(
            SessionMiddleware,
            secret_key=secrets.token_urlsafe(32),  # per process: nothing outlives the server
            session_cookie="pcd_workbench",
            same_site="strict",
            https_only=False,
            max_age=None,
        ),
        Middleware(_Headers),
    ]
    return Starlette(routes=routes, middleware=middleware)


class _Headers:
    """Security headers on every response."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message):
            if message["type"] == "http.response.start":
                headers = message.setdefault("headers", [])
                for name, value in (
                    (b"content-security-policy", CSP.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"no-referrer"),
                    (b"x-frame-options", b"DENY"),
                    (b"cache-control", b"no-store"),
                ):
                    headers.append((name, value))
            await send(message)

        await self.app(scope, receive, with_headers)


def _upload_limit(name: str, max_upload: int) -> int:
    """The largest upload of this name: a proposal file (YAML, JSON) is held to the command
    line's limit (a 20 MB one took 40 s of the server's CPU and 480 MB to screen)."""
    from pcd_screen.core.yamlread import MAX_BYTES

    return min(max_upload, MAX_BYTES) if name.lower().endswith(PROPOSAL_SUFFIXES) else max_upload


def _read_upload(name: str, content: bytes) -> tuple[dict, dict]:
    """(data, labels) of an uploaded document or proposal file; ValueError says what is wrong."""
    from pcd_screen.core.located import LoadError

    lowered = name.lower()
    if lowered.endswith(PROPOSAL_SUFFIXES):
        from pcd_screen.core import yamlread
        from pcd_screen.inputs.proposal import validate_document

        try:
            text = yamlread.decode(content, name)
            document = yamlread.load_text(text, name)
            proposal = validate_document(document)
        except LoadError as exc:
            raise ValueError(str(exc)) from None
        return copy.deepcopy(proposal.data), {}
    from pcd_screen.inputs import documents

    if documents.kind_of(name) is None:
        raise ValueError(
            f"{name}: not a kind of file the workbench reads (a document: "
            f"{', '.join(documents.SUFFIXES)}; or a proposal: .yaml, .json)"
        )
    try:
        proposal = documents.load(content, name)
    except DocumentBusy as exc:
        raise _Busy(f"{name}: {exc}") from None
    except documents.DocumentProblem as exc:
        raise ValueError(f"{name}: {exc}") from None
    except LoadError as exc:
        raise ValueError(str(exc)) from None
    return copy.deepcopy(proposal.data), dict(proposal.document.labels)


def _download(app: Workbench, workspace, what: str, lang: str) -> Response:
    """A download of a workspace: its proposal as YAML, a report, the letter, the decisions."""
    proposal, result = app.screen(workspace, lang)
    base = _safe_base(workspace.data.get("id"))
    if what == "proposal.yaml":
        from pcd_screen.inputs.draft import draft_yaml

        if proposal is None:
            return PlainTextResponse("\n".join(workspace.errors), status_code=400)
        return _attachment(draft_yaml(proposal, lang), f"{base}.yaml", "application/yaml")
    if result is None:
        return PlainTextResponse("\n".join(workspace.errors), status_code=400)
    run = _run(workspace)
    if what == "report.html":
        from pcd_screen.reports import render

        return _attachment(render("html", [result], run, lang), f"{base}-report.html", "text/html")
    if what == "report.pdf":
        from pcd_screen.reports import render

        return _attachment(
            render("pdf", [result], run, lang), f"{base}-report.pdf", "application/pdf"
        )
    if what == "letter.md":
        from pcd_screen.reports import render

        return _attachment(
            render("letter", [result], run, lang), f"{base}-letter.md", "text/markdown"
        )
    if what == "decisions.yaml":
        return _attachment(
            _decisions_yaml(workspace, result), f"{base}-decisions.yaml", "application/yaml"
        )
    return PlainTextResponse("not found", status_code=404)


def _workbench_page(app: Workbench, request: Request, workspace, lang: str):
    from pcd_screen.engine.countries import names
    from pcd_screen.reports.questions import known_question
    from pcd_screen.reports.templated import report_view
    from pcd_screen.web.form import build

    _proposal, result = app.screen(workspace, lang)
    fields = build(
        workspace.data,
        workspace.labels,
        lang,
        names(lang),
        lambda path: known_question(path, lang) or "",
    )
    view = report_view(result, lang) if result else None
    refused, workspace.refused = workspace.refused, {}  # shown once
    return app.page(
        request,
        "workbench.html.j2",
        workspace=workspace,
        fields=fields,
        r=view,
        decisions=workspace.decisions,
        refused=refused,
        sections=workspace.data.get("sections") or [],
        risks=workspace.data.get("risks") or [],
    )


def _provisional(workspace, today: date) -> list:
    """Where the organisation uses waivers (the settings name a waivers file), the officer's
    disagreements with flagged findings act as waivers in the workbench, marked as coming from
    the workbench, until they are reviewed into the waivers file (decisions.yaml has them)."""
    from pcd_screen.engine.waivers import Waiver

    return [
        Waiver(
            rule=d.rule_id,
            proposal=d.proposal,
            path=None,
            justification=d.reason,
            approved_by=d.by,
            granted=today,
            expires=today + timedelta(days=182),
            file="workbench decision (not yet reviewed)",
            line=None,
        )
        for d in workspace.decisions.values()
        if d.decision == "disagree" and d.status in ("flag", "waived")
    ]


def _run(workspace):
    from pcd_screen.reports.common import Run

    return Run(decisions=tuple(d.to_dict() for d in workspace.decisions.values()))


def _decisions_yaml(workspace, result) -> str:
    """The audit trail, and the waivers the disagreements on flagged findings would be (for an
    organisation that keeps waivers: review them like any waiver before they take effect)."""
    import yaml

    today = date.today()
    waivers = [
        {
            "rule": d.rule_id,
            "proposal": d.proposal,
            "justification": d.reason,
            "approved_by": d.by,
            "granted": today.isoformat(),
            "expires": (today + timedelta(days=182)).isoformat(),
        }
        for d in workspace.decisions.values()
        if d.decision == "disagree" and d.status == "flag"
    ]
    document = {
        "proposal": str(workspace.data.get("id")),
        "source": workspace.source,
        "ruleset": result.ruleset["hash"],
        "verdict": result.verdict,
        "decisions": [d.to_dict() for d in workspace.decisions.values()],
        "waivers": waivers,
    }
    header = (
        "# Decisions of the desk officer on the findings of pcd-screen (audit trail).\n"
        "# `waivers:` are the disagreements on flagged findings written as waivers: to apply\n"
        "# them, copy them into the reviewed .pcd-waivers.yaml of your organisation.\n"
    )
    return header + yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=100)


def _attachment(body, filename: str, media_type: str) -> Response:
    return Response(
        body,
        media_type=media_type,
        headers={"content-disposition": f'attachment; filename="{filename}"'},
    )


def _safe_base(value) -> str:
    from pcd_screen.core.outputs import base_name

    return base_name(str(value or "proposal"))
