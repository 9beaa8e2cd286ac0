"""A plain (non-editable) install of the built wheel works from another directory."""

import shutil
import subprocess
import sys
import venv

import pytest

from conftest import EXAMPLES, REPO


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    if shutil.which("git") is None:
        pytest.skip("git is needed to copy the checkout cleanly")
    work = tmp_path_factory.mktemp("wheel")
    # Build from a clean copy so that nothing but tracked and new source files goes in.
    source = work / "src"
    shutil.copytree(
        REPO,
        source,
        ignore=shutil.ignore_patterns(
            ".venv", ".git", "__pycache__", "*.egg-info", "dist", "build"
        ),
    )
    dist = work / "dist"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--quiet",
            "-w",
            str(dist),
            str(source),
        ],
        check=True,
    )
    (wheel,) = dist.glob("pcd_screen-*.whl")
    env_dir = work / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", str(wheel)], check=True)
    shutil.rmtree(source)  # the installed package must not lean on the checkout
    return env_dir / "bin", wheel


def test_wheel_contains_rules_templates_and_data(installed):
    import zipfile

    _bin, wheel = installed
    names = zipfile.ZipFile(wheel).namelist()
    for expected in (
        "pcd_screen/_rules/do-no-harm.yaml",
        "pcd_screen/_templates/report.html.j2",
        "pcd_screen/data/ldc.yaml",
        "pcd_screen/schemas/proposal.schema.json",
        "pcd_screen/data/questions.yaml",
        "pcd_screen/web/templates/workbench.html.j2",
        "pcd_screen/web/static/workbench.js",
    ):
        assert expected in names


def test_installed_cli_runs_from_another_directory(installed, tmp_path):
    bin_dir, _wheel = installed
    example = str((EXAMPLES / "border-control-transit-niger.yaml").resolve())
    proc = subprocess.run(
        [str(bin_dir / "pcd-screen"), "screen", example, "--as-of", "2026-11-23", "--format", "md"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert proc.returncode == 1, proc.stderr
    # Sources are cited by their titles (the NGO note is 11.11.11's), no longer by their keys.
    assert "# PCD screening" in proc.stdout and "11.11.11" in proc.stdout
    proc = subprocess.run(
        [str(bin_dir / "pcd-screen"), "rules", "validate"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    proc = subprocess.run(
        [str(bin_dir / "python"), "-m", "pcd_screen", "refdata"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert proc.returncode == 0 and "ldc" in proc.stdout
