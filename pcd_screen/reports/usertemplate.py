"""Reports rendered with a user's own Jinja template (`--template`, `templates:` in the config).

A template may come from someone else (an agency's shared layout), so it runs in Jinja's
sandbox: ImmutableSandboxedEnvironment refuses attributes that start with an underscore and
callables marked unsafe (no way from '' up to object.__subclasses__()), and methods that change
lists or dicts. It has no template files to load: include, import and extends reach nothing on
disk. An HTML template is autoescaped like the built-in one. The sandbox does not bound the time
or memory a template takes.

Whatever an HTML template writes (it may turn escaping off with |safe), its page gets the
reports' Content-Security-Policy as its first element: no script runs in it, nothing is loaded
from elsewhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

# The report format a template writes, told by its name: report.html.j2, summary.md, ...
SUFFIXES = {"html": (".html", ".htm"), "md": (".md", ".markdown")}
_ENDINGS = ("", ".j2", ".jinja", ".jinja2")
NAMING = "name it *.html.j2 or *.md.j2 (or *.html, *.md)"
# The policy of templates/report.html.j2 (a test keeps the two the same).
POLICY = (
    '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
    "style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'\">"
)
_DOCTYPE = re.compile(r"\s*<!doctype[^>]*>", re.IGNORECASE)


class TemplateProblem(Exception):
    """A template that cannot be read, compiled or rendered: str() names its file and line."""


@dataclass(frozen=True)
class UserTemplate:
    file: str  # as the user named it, for messages
    fmt: str  # html or md
    source: str


def format_of(name: str) -> str | None:
    lower = str(name).lower()
    for fmt, suffixes in SUFFIXES.items():
        if any(lower.endswith(suffix + ending) for suffix in suffixes for ending in _ENDINGS):
            return fmt
    return None


def load_template(path: Path, shown: str | None = None) -> UserTemplate:
    """Read and compile a template; syntax errors are found here, before anything is screened."""
    shown = shown or str(path)
    fmt = format_of(shown)
    if fmt is None:
        raise TemplateProblem(f"{shown}: cannot tell which report the template writes: {NAMING}")
    from pcd_screen.core.yamlread import MAX_BYTES, read_input, too_large

    try:  # as any input: a regular file (a FIFO would block), within the size limit
        raw = read_input(path, MAX_BYTES)
        if raw is None:
            raise TemplateProblem(f"{shown}: {too_large(MAX_BYTES)}")
        source = raw.decode("utf-8")
    except OSError as exc:
        raise TemplateProblem(f"{shown}: cannot read the template: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise TemplateProblem(f"{shown}: the template is not UTF-8 text") from None
    template = UserTemplate(shown, fmt, source)
    _compiled(template, "en")
    return template


@lru_cache(maxsize=8)
def _compiled(template: UserTemplate, lang: str):
    import jinja2
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    from pcd_screen.reports.jinja import configure, jinja_options

    env = ImmutableSandboxedEnvironment(
        loader=jinja2.DictLoader({}), autoescape=template.fmt == "html", **jinja_options()
    )
    configure(env, lang)
    try:
        return env.from_string(template.source)
    except jinja2.TemplateSyntaxError as exc:
        message = f"{template.file}:{exc.lineno}: template syntax error: {exc.message}"
        raise TemplateProblem(message) from None


def render_template(template: UserTemplate, context: dict) -> str:
    """context: what the built-in report template gets (reports, lang, run)."""
    compiled = _compiled(template, context["lang"])
    try:
        text = compiled.render(**context)
    except Exception as exc:  # whatever the template's code raises is a problem of the template
        raise TemplateProblem(f"{template.file}:{_line(exc)}: {_describe(exc)}") from None
    return with_policy(text) if template.fmt == "html" else text


def with_policy(html: str) -> str:
    """The page with the policy before anything else but its doctype. A <meta> there opens the
    page's <head>, so the policy holds from the first element the template wrote."""
    doctype = _DOCTYPE.match(html)
    at = doctype.end() if doctype else 0
    return html[:at] + POLICY + html[at:]


def _line(exc: Exception) -> str:
    # Jinja rewrites tracebacks so that a template's frames carry its own line numbers.
    import traceback  # only on the error path

    frames = traceback.extract_tb(exc.__traceback__)
    lines = [f.lineno for f in frames if f.filename == "<template>"]
    return str(lines[-1]) if lines else "?"


def _describe(exc: Exception) -> str:
    from jinja2 import TemplateNotFound, UndefinedError
    from jinja2.exceptions import SecurityError

    if isinstance(exc, SecurityError):
        return f"not allowed in a report template: {exc}"
    if isinstance(exc, TemplateNotFound):
        return f"a report template is one file: it cannot include, import or extend {exc.name!r}"
    if isinstance(exc, UndefinedError):
        return f"template error: {exc.message}"
    return f"template error: {type(exc).__name__}: {exc}"
