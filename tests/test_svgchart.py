from pcd_screen.reports.svgchart import bar_chart


def test_bars_are_escaped_and_scaled():
    svg = bar_chart([("<script>", 0.5), ("b & c", 1.0)], percent=True)
    assert svg.startswith("<svg") and "<script>" not in svg and "&lt;script&gt;" in svg
    assert "50%" in svg and "100%" in svg


def test_amounts():
    svg = bar_chart([("a", 1000.0), ("b", 250.0)], percent=False)
    assert "1,000" in svg and "250" in svg
