"""The report's score chart leaves room for its longest labels."""

from __future__ import annotations

import re

from wishmap.services.report_map import svg_scores

# Widths in px of DejaVu Sans at 15 px (Pillow's measure), the font WeasyPrint uses for
# sans-serif on Debian: the widest 20-character labels the chart writes in fr, en and nl.
MEASURED = {
    "Instruments de musi…": 169.7,
    "Bicycle shop and re…": 161.8,
    "Fietsenwinkel en re…": 159.2,
    "Vélociste et répara…": 155.8,
}


def test_labels_fit_left_of_the_bars() -> None:
    svg = str(svg_scores([("Instruments de musique", 80, True), ("Café", 40, False)], "Scores"))
    label_end = float(re.search(r'<text x="([\d.]+)"[^>]*text-anchor="end"', svg).group(1))
    assert "Instruments de musi…" in svg
    # The label is right-aligned at label_end and must not start left of the picture (x < 0).
    assert label_end - max(MEASURED.values()) >= 0
