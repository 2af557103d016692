"""Languages: English, French and Dutch (Flask-Babel), chosen from the browser or by the user."""

from __future__ import annotations

from flask import Flask, request, session
from flask_babel import Babel

LANGUAGES = {"en": "English", "fr": "Français", "nl": "Nederlands"}

babel = Babel()


def select_locale() -> str:
    """Return the language for this request: the visitor's choice, else the browser's."""
    chosen = session.get("locale")
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(list(LANGUAGES)) or "en"


def init_app(app: Flask) -> None:
    """Bind Flask-Babel to app with translations from wishmap/translations."""
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", "translations")
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.globals["LANGUAGES"] = LANGUAGES
