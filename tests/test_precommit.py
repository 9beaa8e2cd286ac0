"""The pre-commit hook (.pre-commit-hooks.yaml), run for real by pre-commit on a temporary
proposal repository that points at this checkout.

pre-commit clones the hook repository at a commit, so the hook tested is the one in HEAD (the
working tree's uncommitted changes are not seen), and it installs pcd-screen with its
dependencies from the package index into PRE_COMMIT_HOME: the first run needs the network.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys

import pytest

from conftest import EXAMPLES, REPO

CONFIG = """\
include: ["proposals/**/*.yaml", "proposals/**/*.json"]
exclude: ["proposals/drafts/**"]
as_of: "2026-11-23"
fail_on: revise
"""


def _pre_commit() -> list[str] | None:
    if importlib.util.find_spec("pre_commit") is not None:
        return [sys.executable, "-m", "pre_commit"]
    found = shutil.which("pre-commit")
    return [found] if found else None


def _git(*args, cwd, env=None) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True
    ).stdout.strip()


def _hook_commit() -> str | None:
    """HEAD of this checkout, if it is a git repository whose HEAD has the hook definition."""
    if shutil.which("git") is None:
        return None
    try:
        head = _git("rev-parse", "HEAD", cwd=REPO)
        _git("cat-file", "-e", f"{head}:.pre-commit-hooks.yaml", cwd=REPO)
    except subprocess.CalledProcessError:
        return None
    return head


PRE_COMMIT = _pre_commit()
HOOK_COMMIT = _hook_commit() if PRE_COMMIT else None

pytestmark = [
    pytest.mark.skipif(
        PRE_COMMIT is None,
        reason="pre-commit is not installed (pip install pre-commit, or the test extra)",
    ),
    pytest.mark.skipif(
        PRE_COMMIT is not None and HOOK_COMMIT is None,
        reason=f"{REPO} is not a git checkout whose HEAD contains .pre-commit-hooks.yaml "
        "(pre-commit clones the hook repository at a commit: commit the hook first)",
    ),
]


def test_the_hook_fails_on_a_harmful_proposal_and_passes_without_it(tmp_path):
    project = tmp_path / "proposals-repo"
    (project / "proposals" / "drafts").mkdir(parents=True)
    shutil.copy(EXAMPLES / "ecowas-free-movement.yaml", project / "proposals")
    shutil.copy(EXAMPLES / "refugee-hosting-uganda.yaml", project / "proposals")
    shutil.copy(EXAMPLES / "border-control-transit-niger.yaml", project / "proposals")
    # Excluded by the config: a harmful draft must not fail the hook.
    shutil.copy(EXAMPLES / "coastguard-support-libya.yaml", project / "proposals" / "drafts")
    (project / ".pcd-screen.yaml").write_text(CONFIG, encoding="utf-8")
    (project / ".pre-commit-config.yaml").write_text(
        "repos:\n"
        f"  - repo: {REPO.as_posix()}\n"
        f"    rev: {HOOK_COMMIT}\n"
        "    hooks:\n"
        "      - id: pcd-screen\n",
        encoding="utf-8",
    )

    # Nothing from the calling environment that would redirect git or pre-commit, or write
    # to a real GitHub step summary.
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("GIT_", "PRE_COMMIT", "GITHUB_"))
    }
    env.update(
        PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"),
        GIT_AUTHOR_NAME="test",
        GIT_AUTHOR_EMAIL="test@example.org",
        GIT_COMMITTER_NAME="test",
        GIT_COMMITTER_EMAIL="test@example.org",
        NO_COLOR="1",
    )
    _git("init", "--quiet", cwd=project, env=env)
    _git("add", "-A", cwd=project, env=env)
    _git("commit", "--quiet", "--no-verify", "-m", "proposals", cwd=project, env=env)

    def run_hooks() -> subprocess.CompletedProcess:
        return subprocess.run(
            [*PRE_COMMIT, "run", "--all-files", "--color", "never"],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )

    failing = run_hooks()
    output = failing.stdout + failing.stderr
    assert failing.returncode == 1, output
    assert "pcd-screen" in output and "Failed" in output
    assert "EU-NDICI-2026-NE-031" in output  # the harmful proposal's report
    assert "EU-NDICI-2026-LY-007" not in output  # the draft was passed but excluded

    _git("rm", "--quiet", "proposals/border-control-transit-niger.yaml", cwd=project, env=env)
    passing = run_hooks()
    output = passing.stdout + passing.stderr
    assert passing.returncode == 0, output
    assert "Passed" in output

    # A commit that changes only files the patterns filter out (the draft, the config): the
    # hook passes them and --allow-empty keeps it green; outside pre-commit that is exit 2.
    only_draft = subprocess.run(
        [
            *PRE_COMMIT,
            "run",
            "--color",
            "never",
            "--files",
            "proposals/drafts/coastguard-support-libya.yaml",
            ".pcd-screen.yaml",
        ],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    output = only_draft.stdout + only_draft.stderr
    assert only_draft.returncode == 0, output
    assert "Passed" in output
