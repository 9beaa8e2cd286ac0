import pytest

from pcd_screen.core import outputs


def test_write_atomic_replaces_whole_file(tmp_path):
    target = tmp_path / "report.md"
    target.write_text("old")
    outputs.write_atomic(target, "new report\n")
    assert target.read_text() == "new report\n"
    assert [p.name for p in tmp_path.iterdir()] == ["report.md"]


def test_failed_write_leaves_no_partial_file(tmp_path, monkeypatch):
    target = tmp_path / "report.md"

    def broken_replace(_src, _dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(outputs.os, "replace", broken_replace)
    with pytest.raises(OSError):
        outputs.write_atomic(target, "text")
    assert list(tmp_path.iterdir()) == []


def test_outputs_get_the_permissions_of_any_new_file(tmp_path):
    import os
    import stat

    from pcd_screen.core.outputs import write_atomic

    mask = os.umask(0o022)
    try:
        import importlib

        from pcd_screen.core import outputs

        importlib.reload(outputs)  # the mask is read when the module loads
        outputs.write_atomic(tmp_path / "report.html", "<p>x</p>\n")
    finally:
        os.umask(mask)
        importlib.reload(outputs)
    assert stat.S_IMODE((tmp_path / "report.html").stat().st_mode) == 0o644
    assert write_atomic  # the module-level import stays usable


def test_csv_cells_are_safe_in_comma_and_semicolon_locales():
    """A spreadsheet whose list separator is `;` (nl-BE, fr-BE, nl-NL, fr) splits an unquoted
    cell `x;=2+5;y` at the semicolons and runs `=2+5`; quoting every cell and neutralising each
    part after a `;` keeps it text in both locales."""
    import csv
    import io

    buffer = io.StringIO()
    writer = outputs.SpreadsheetCsv(buffer)
    written = writer.writerow([5, "x;=2+5;y", "a; @SUM(A1)", "=1", "-5", "-5;-3", None])
    assert written == [5, "x;'=2+5;y", "a; '@SUM(A1)", "'=1", "-5", "-5;-3", None]
    line = buffer.getvalue()
    assert line == '"5","x;\'=2+5;y","a; \'@SUM(A1)","\'=1","-5","-5;-3",""\n'
    # As a `;` spreadsheet that ignores the quotes would cut it: no part starts a formula.
    for part in line.rstrip("\n").split(";"):
        assert not part.strip(' "').startswith(("=", "+", "@")), part
    assert next(csv.reader(io.StringIO(line)))[1] == "x;'=2+5;y"
