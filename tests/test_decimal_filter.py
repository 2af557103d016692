"""Decimals on pages use the decimal mark of the page's language."""

from __future__ import annotations

import pytest
from flask import Flask, render_template_string, session

SHOWN = [("en", "13.8 %"), ("fr", "13,8 %"), ("nl", "13,8 %")]


@pytest.mark.parametrize(("language", "shown"), SHOWN)
def test_decimal_filter_follows_the_language(app: Flask, language: str, shown: str) -> None:
    # The dashboard's vacancy rate read "13.8 %" on French and Dutch pages.
    with app.test_request_context("/"):
        session["locale"] = language
        assert render_template_string('{{ 13.8|decimalformat("#,##0.0") }} %') == shown
