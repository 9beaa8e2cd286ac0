import re

import pytest
from click.testing import CliRunner

from conftest import EXAMPLES, REPO, screened
from pcd_screen.commands import cli
from pcd_screen.reports.templated import render
from pcd_screen.reports.usertemplate import (
    POLICY,
    TemplateProblem,
    format_of,
    load_template,
    with_policy,
)

HARMFUL = str(EXAMPLES / "border-control-transit-niger.yaml")
SPARSE = str(EXAMPLES / "sparse-proposal.yaml")
AS_OF = ["--as-of", "2026-11-23", "--fail-on", "never"]

AGENCY_HTML = """\
<!DOCTYPE html>
<html lang="{{ lang }}"><head><meta charset="utf-8"><title>Agency screening</title></head>
<body>
{% for r in reports %}
<h1>{{ r.result.proposal.id }}: {{ r.result.proposal.title }}</h1>
<p class="verdict">{{ r.verdict_label }}</p>
<h2>{{ _("Concerns") }}</h2>
<ul>{% for principle, findings in r.groups %}{% for f in findings %}
<li>{{ f.severity | severity }} {{ f.rule_id }} {{ f.title }}</li>
{% endfor %}{% endfor %}</ul>
<p>{{ r.facts | map(attribute="value") | join("; ") }}</p>
{% endfor %}
</body></html>
"""
AGENCY_MD = """\
{% for r in reports %}
# {{ r.result.proposal.title }}

**{{ r.verdict_label }}** ({{ r.counts.concerns.critical }} critical)
{% endfor %}
"""


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def template(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_an_html_template_renders_the_report_escaped_and_under_the_policy(tmp_path):
    path = template(tmp_path, "agency.html.j2", AGENCY_HTML)
    out = tmp_path / "report.html"
    result = invoke("screen", HARMFUL, *AS_OF, "--template", path, "-f", f"html={out}")
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>" + POLICY + "\n<html")
    assert "d&#39;Agadez et de Zinder</h1>" in html  # the title, escaped
    assert "BLOCKED — do not approve in this form" in html
    assert "CRITICAL DNH-001 " in html or "critical DNH-001 " in html
    assert "<h2>Concerns</h2>" in html
    # The built-in template is not used.
    assert "Questions for the applicant" not in html


def test_a_template_speaks_the_report_language(tmp_path):
    path = template(tmp_path, "agency.html.j2", AGENCY_HTML)
    result = invoke("screen", HARMFUL, *AS_OF, "--lang", "fr", "--template", path, "-f", "html")
    assert result.exit_code == 0, result.output
    assert '<html lang="fr">' in result.output and "<h2>Points d’attention</h2>" in result.output


def test_an_md_template_is_not_escaped(tmp_path):
    path = template(tmp_path, "agency.md.j2", AGENCY_MD)
    result = invoke("screen", HARMFUL, SPARSE, *AS_OF, "--template", path, "-f", "md")
    assert result.exit_code == 0, result.output
    assert "# Appui à la gestion des frontières et à la lutte contre le trafic illicite de " in (
        result.output
    )
    assert "d'Agadez" in result.output and "Content-Security-Policy" not in result.output
    assert result.output.count("**") == 4  # both proposals


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("{{ ''.__class__.__mro__[1].__subclasses__() }}", "not allowed in a report template"),
        ("{{ ''|attr('__class__') }}", "not allowed in a report template"),
        ("{{ '{0.__class__}'.format(1) }}", "not allowed in a report template"),
        ("{{ cycler.__init__.__globals__.os }}", "not allowed in a report template"),
        ("{{ lipsum.__globals__['os'].popen('id').read() }}", "not allowed in a report template"),
        ("{{ reports[0].finding_dict.__globals__ }}", "not allowed in a report template"),
        ("{{ reports[0].result.__dict__ }}", "not allowed in a report template"),
        ("{{ self._TemplateReference__context }}", "not allowed in a report template"),
        ("{{ reports.append(1) }}", "not allowed in a report template"),
        ("{{ reports[0].facts.clear() }}", "not allowed in a report template"),
        (
            "{% include '/etc/passwd' %}",
            "a report template is one file: it cannot include, import or extend '/etc/passwd'",
        ),
        (
            "{% import 'report.html.j2' as r %}",
            "a report template is one file: it cannot include, import or extend 'report.html.j2'",
        ),
        ("{{ nothing.here }}", "template error: 'nothing' is undefined"),
        ("{{ 1 / 0 }}", "template error: ZeroDivisionError: division by zero"),
    ],
)
def test_escapes_from_the_sandbox_are_refused_with_file_and_line(tmp_path, code, message):
    path = template(tmp_path, "evil.html.j2", "<h1>Report</h1>\n<p>\n" + code + "\n</p>\n")
    out = tmp_path / "report.html"
    result = invoke("screen", HARMFUL, *AS_OF, "--template", path, "-f", f"html={out}")
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert f"{path}:3: {message}" in result.output
    assert not out.exists()


def test_extends_is_refused(tmp_path):
    path = template(tmp_path, "evil.html.j2", "{% extends 'report.html.j2' %}\n")
    result = invoke("screen", HARMFUL, *AS_OF, "--template", path, "-f", "html")
    assert result.exit_code == 2
    assert "cannot include, import or extend 'report.html.j2'" in result.output


def test_a_syntax_error_stops_the_run_before_screening(tmp_path):
    path = template(tmp_path, "broken.md.j2", "# Report\n\n{% for r in reports %}\n{{ r. }}\n")
    result = invoke("screen", HARMFUL, *AS_OF, "--template", path, "-f", "md")
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert f"{path}:4: template syntax error: " in result.output


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("report.txt", "cannot tell which report the template writes"),
        ("report.html", None),
        ("report.HTM.jinja2", None),
        ("report.markdown.j2", None),
    ],
)
def test_the_format_comes_from_the_name(tmp_path, name, message):
    path = template(tmp_path, name, "{{ reports | length }}\n")
    if message:
        with pytest.raises(TemplateProblem, match=message):
            load_template(path)
    else:
        assert load_template(path).fmt == format_of(name) in ("html", "md")


def test_a_template_file_that_is_not_text(tmp_path):
    path = tmp_path / "bin.html.j2"
    path.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(TemplateProblem, match="not UTF-8 text"):
        load_template(path)


def test_a_template_for_a_report_not_written_is_a_usage_error(tmp_path):
    path = template(tmp_path, "agency.md.j2", AGENCY_MD)
    result = invoke("screen", HARMFUL, *AS_OF, "--template", path, "-f", "html")
    assert result.exit_code == 2
    assert f"--template {path} is for the md report" in result.output


def test_two_templates_for_one_format_are_an_error(tmp_path):
    first = template(tmp_path, "a.html.j2", AGENCY_HTML)
    second = template(tmp_path, "b.html", AGENCY_HTML)
    result = invoke("screen", HARMFUL, *AS_OF, "--template", first, "--template", second)
    assert result.exit_code == 2
    assert "a second html template" in result.output


def test_batch_writes_the_reports_with_the_template(tmp_path):
    path = template(tmp_path, "agency.html.j2", AGENCY_HTML)
    out = tmp_path / "out"
    result = invoke("batch", HARMFUL, SPARSE, "--out", out, "--template", path)
    assert result.exit_code == 0, result.output
    report = (out / "reports" / "EU-NDICI-2026-NE-031.html").read_text(encoding="utf-8")
    assert report.startswith("<!DOCTYPE html>" + POLICY) and "Agency screening" in report
    # The Markdown reports and the portfolio keep the built-in templates.
    markdown = (out / "reports" / "EU-NDICI-2026-NE-031.md").read_text(encoding="utf-8")
    assert "Questions for the applicant" in markdown
    assert "Portfolio screening" in (out / "portfolio.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_batch_stops_on_a_template_error(tmp_path, jobs):
    path = template(tmp_path, "evil.md.j2", "# x\n{{ ''.__class__ }}\n")
    out = tmp_path / "out"
    result = invoke("batch", HARMFUL, SPARSE, "--out", out, "--template", path, "--jobs", jobs)
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert f"{path}:2: not allowed in a report template" in result.output
    assert not (out / "results.jsonl").exists() and not (out / "portfolio.html").exists()


def test_templates_in_the_config_are_relative_to_it(tmp_path, monkeypatch):
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "layout").mkdir()
    template(repo / "layout", "agency.html.j2", AGENCY_HTML)
    (repo / ".pcd-screen.yaml").write_text(
        "formats: [text]\ntemplates: [layout/agency.html.j2]\n", encoding="utf-8"
    )
    monkeypatch.chdir(repo / "layout")
    # The config's template applies to the html report when one is written, and is no error
    # when none is.
    result = invoke("screen", HARMFUL, *AS_OF, "-f", "html")
    assert result.exit_code == 0 and "Agency screening" in result.output
    assert invoke("screen", HARMFUL, *AS_OF).exit_code == 0
    monkeypatch.chdir(repo)
    shown = invoke("config", "show").output
    assert re.search(
        r'^templates: \["layout/agency.html.j2"\] +# file \.pcd-screen\.yaml$', shown, re.M
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("[layout/missing.html.j2]", "2:13: templates[0]: template not found: layout/missing"),
        ("[layout/agency.txt]", "2:13: templates[0]: cannot tell which report"),
        ("[a.html, b.html]", "2:21: templates[1]: a second html template (the first is a.html)"),
    ],
)
def test_bad_templates_in_the_config_name_file_and_line(tmp_path, monkeypatch, value, message):
    (tmp_path / ".git").mkdir()
    template(tmp_path, "a.html", AGENCY_HTML)
    template(tmp_path, "b.html", AGENCY_HTML)
    (tmp_path / ".pcd-screen.yaml").write_text(f"lang: en\ntemplates: {value}\n", "utf-8")
    monkeypatch.chdir(tmp_path)
    result = invoke("screen", HARMFUL, *AS_OF)
    assert result.exit_code == 2
    assert f".pcd-screen.yaml:{message}" in result.output


def test_the_policy_is_the_reports_policy():
    for name in ("report.html.j2", "portfolio.html.j2"):
        assert POLICY in (REPO / "templates" / name).read_text(encoding="utf-8")


def test_the_policy_comes_first_whatever_the_template_writes(tmp_path):
    assert with_policy("<script>x()</script><!DOCTYPE html>").startswith(POLICY)
    assert with_policy("  <!doctype HTML>\n<p>").startswith("  <!doctype HTML>" + POLICY)
    # Escaping turned off by the template: the text is raw, but the page forbids script.
    path = template(tmp_path, "raw.html.j2", "<h1>{{ reports[0].result.proposal.title|safe }}</h1>")
    result = screened("border-control-transit-niger")
    html = render([result], "html", template=load_template(path))
    assert html.startswith(POLICY + "<h1>Appui à la gestion des frontières")


def test_the_docs_example_works(tmp_path, monkeypatch):
    text = (REPO / "docs" / "config.md").read_text(encoding="utf-8")
    (block,) = [b.split("```")[0] for b in text.split("```yaml\n")[1:] if "templates:" in b]
    (tmp_path / ".git").mkdir()
    (tmp_path / ".pcd-screen.yaml").write_text(block, encoding="utf-8")
    (tmp_path / "layout").mkdir()
    template(tmp_path / "layout", "agency-report.html.j2", AGENCY_HTML)
    monkeypatch.chdir(tmp_path)
    result = invoke("screen", HARMFUL, *AS_OF)
    assert result.exit_code == 0, result.output
    assert "Agency screening" in (tmp_path / "reports" / "screening.html").read_text("utf-8")


def test_a_template_that_is_not_a_regular_file_is_refused_at_once(tmp_path):
    import os

    from pcd_screen.reports.usertemplate import load_template

    os.mkfifo(tmp_path / "t.md.j2")
    with pytest.raises(TemplateProblem, match="t.md.j2: cannot read the template: it is a FIFO"):
        load_template(tmp_path / "t.md.j2")
    result = CliRunner().invoke(
        cli,
        [
            "screen",
            str(EXAMPLES / "sparse-proposal.yaml"),
            "--template",
            str(tmp_path / "t.md.j2"),
            "--format",
            "md",
        ],
    )
    assert result.exit_code == 2 and "t.md.j2: it is a FIFO (named pipe)" in result.output
