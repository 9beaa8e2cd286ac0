"""The layout keeps its promises (docs/architecture.md): stages import downward only, no
import cycles, the commands screen through the session, and each kind of extension (an
operator, an output format, an importer, a rule, a principle) is added in one place."""

import ast
import shutil
from datetime import date

import pytest
import yaml
from click.testing import CliRunner

from conftest import EXAMPLES, REPO
from pcd_screen import inputs, reports
from pcd_screen.commands import cli
from pcd_screen.core.terms import PRINCIPLES

PACKAGE = REPO / "pcd_screen"
# A stage may import its own modules and those of the stages listed for it, nothing above.
ALLOWED = {
    "core": {"core"},
    "engine": {"core", "engine"},
    "inputs": {"core", "engine", "inputs"},
    "reports": {"core", "engine", "reports"},
    "config": {"core", "engine", "reports", "config"},  # reports: template names
    "runs": {"core", "engine", "inputs", "reports", "runs", "config"},
    "web": {"core", "engine", "inputs", "reports", "runs", "config", "web"},
    "commands": {"core", "engine", "inputs", "reports", "runs", "config", "web", "commands"},
}


def _stage(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _imports() -> dict[str, set[str]]:
    """module -> the pcd_screen modules it imports (at the top or inside functions)."""
    found = {}
    for path in PACKAGE.rglob("*.py"):
        if path.name == "_proposal_fastcheck.py":
            continue
        relative = path.relative_to(REPO).with_suffix("")
        name = ".".join(p for p in relative.parts if p != "__init__")
        targets = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.ImportFrom)
                and node.module
                and node.module.startswith("pcd_screen")
            ):
                targets.add(node.module)
                targets.update(f"{node.module}.{a.name}" for a in node.names)
            elif isinstance(node, ast.Import):
                targets.update(a.name for a in node.names if a.name.startswith("pcd_screen"))
        found[name] = {t for t in targets if _module_exists(t)}
    return found


def _module_exists(name: str) -> bool:
    path = REPO.joinpath(*name.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def test_stages_import_downward_only():
    wrong = []
    for module, targets in _imports().items():
        stage = _stage(module)
        if stage not in ALLOWED:
            continue
        for target in targets:
            if _stage(target) and _stage(target) not in ALLOWED[stage]:
                wrong.append(f"{module} imports {target}")
    assert wrong == []


def test_the_engine_imports_neither_inputs_nor_reports():
    for module, targets in _imports().items():
        if _stage(module) == "engine":
            assert not {_stage(t) for t in targets} & {"inputs", "reports", "commands", "runs"}


def test_no_import_cycles_at_module_level():
    graph = {}
    for path in PACKAGE.rglob("*.py"):
        if path.name == "_proposal_fastcheck.py":
            continue
        name = ".".join(p for p in path.relative_to(REPO).with_suffix("").parts if p != "__init__")
        tree = ast.parse(path.read_text(encoding="utf-8"))
        targets = set()
        for node in tree.body:  # top-level imports only: imports inside functions are lazy
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("pcd_screen"):
                for candidate in (node.module, *(f"{node.module}.{a.name}" for a in node.names)):
                    if _module_exists(candidate) and candidate != name:
                        targets.add(candidate)
        graph[name] = targets
    seen, stack, cycles = set(), [], []

    def visit(node):
        if node in stack:
            cycles.append(stack[stack.index(node) :] + [node])
            return
        if node in seen:
            return
        seen.add(node)
        stack.append(node)
        for target in graph.get(node, ()):
            if target.startswith(node + "."):
                continue  # a package's __init__ naming its own modules
            visit(target)
        stack.pop()

    for node in sorted(graph):
        visit(node)
    assert cycles == []


def test_commands_screen_only_through_the_session():
    for module, targets in _imports().items():
        if _stage(module) == "commands":
            assert "pcd_screen.engine.evaluate" not in targets, module


# --- where to add: each in one place, shown with a toy ---------------------------------------


def test_an_operator_is_added_in_the_operator_registry(monkeypatch):
    from pcd_screen.engine import conditions
    from pcd_screen.engine.facts import compute_facts
    from pcd_screen.engine.refdata import load_refdata

    toy = conditions.Operator(
        "toy_even", "element", {"const": True}, "is an even number", lambda v, _a, _c: v % 2 == 0
    )
    monkeypatch.setitem(conditions.OPERATORS, "toy_even", toy)
    node = conditions.compile_condition({"path": "budget.total", "toy_even": True})
    refdata, day = load_refdata(), date(2026, 11, 23)

    def truth(total):
        data = {"budget": {"total": total}}
        ctx = conditions.Context(data, compute_facts(data, refdata, day), refdata, day, None)
        return node.evaluate(ctx).value

    assert truth(4) is True and truth(3) is False


def test_an_output_format_is_added_in_the_renderer_registry(monkeypatch):
    monkeypatch.setitem(
        reports.FORMATS, "toy", reports.Format("toy", "tests.toys:render_toy", "a toy format")
    )
    args = ["screen", str(EXAMPLES / "sparse-proposal.yaml"), "--as-of", "2026-11-23"]
    result = CliRunner().invoke(cli, [*args, "-f", "toy"])
    assert result.exit_code in (0, 1), result.output
    assert result.output.startswith("TOY BE-2026-CONCEPT-MLI-03 ")


def test_an_importer_is_added_in_the_input_registry(monkeypatch, tmp_path):
    monkeypatch.setitem(
        inputs.IMPORTERS,
        "toy",
        inputs.Importer("toy", (".toy",), "tests.toys:read_toy", portfolio=True),
    )
    (tmp_path / "two.toy").write_text("TOY-1 A first project\nTOY-2 A second project\n")
    result = CliRunner().invoke(
        cli, ["screen", str(tmp_path), "--as-of", "2026-11-23", "-f", "json", "--fail-on", "never"]
    )
    assert result.exit_code == 0, result.output
    assert "TOY-1" in result.output and "TOY-2" in result.output


def test_a_rule_is_added_as_a_file_in_a_rule_folder(tmp_path):
    rule = yaml.safe_load((REPO / "rules" / "data-quality.yaml").read_text())["rules"][0]
    rule = {**rule, "id": "TOY-001"}
    (tmp_path / "toy.yaml").write_text(yaml.safe_dump({"rules": [rule]}, allow_unicode=True))
    result = CliRunner().invoke(
        cli,
        ["screen", str(EXAMPLES / "sparse-proposal.yaml"), "--as-of", "2026-11-23", "-f", "json"]
        + ["--rules", str(tmp_path), "--fail-on", "never"],
    )
    assert result.exit_code == 0, result.output
    assert '"rule_id": "TOY-001"' in result.output


def test_a_principle_is_defined_once():
    """core/terms.py lists the principles; their headings (data/principles.yaml) and the
    schemas' enums (scripts/gen_schema_terms.py, checked in test_generated) follow it."""
    headings = yaml.safe_load((PACKAGE / "data" / "principles.yaml").read_text())
    assert list(headings) == list(PRINCIPLES) or set(headings) == set(PRINCIPLES)
    for rule_file in sorted((REPO / "rules").glob("*.yaml")):
        loaded = yaml.safe_load(rule_file.read_text())
        for rule in loaded["rules"] if isinstance(loaded, dict) else loaded:
            assert rule["principle"] in PRINCIPLES, rule["id"]


@pytest.fixture(autouse=True)
def _toys_importable(monkeypatch):
    monkeypatch.syspath_prepend(str(REPO))
    shutil.rmtree(REPO / "tests" / "__pycache__" / "toys", ignore_errors=True)
    yield
