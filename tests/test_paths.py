from pcd_screen.core import paths


def test_shipped_folders_are_found():
    assert (paths.RULES_DIR / "do-no-harm.yaml").is_file()
    assert (paths.TEMPLATES_DIR / "report.html.j2").is_file()
    assert (paths.DATA_DIR / "ldc.yaml").is_file()
    assert (paths.SCHEMA_DIR / "proposal.schema.json").is_file()
