"""Languages: English, French and Dutch (Flask-Babel), chosen from the browser or by the user."""

from __future__ import annotations

from typing import Any

from flask import Flask, has_request_context, request, session
from flask_babel import Babel, get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from wishmap.taxonomy import GROUPS

LANGUAGES = {"en": "English", "fr": "Français", "nl": "Nederlands"}

babel = Babel()


def select_locale() -> str:
    """Return the language for this request: the visitor's choice, else the browser's."""
    if not has_request_context():
        return "en"  # services called from the CLI or tests speak English
    chosen = session.get("locale")
    if chosen in LANGUAGES:
        return chosen
    # A resident who chose a language once keeps it on every device they log in from.
    user = current_user._get_current_object()  # type: ignore[attr-defined]
    if user is not None and user.is_authenticated and user.locale in LANGUAGES:
        return user.locale
    return request.accept_languages.best_match(list(LANGUAGES)) or "en"


def current_language() -> str:
    """Return the code of the language the current page speaks (en, fr or nl)."""
    locale = get_locale()
    return locale.language if locale is not None else "en"


def type_label(shop_type: Any) -> str:
    """Return a shop type's label in the current language."""
    return shop_type.label(current_language())


def group_label(group: str) -> str:
    """Return a shop-type group's label in the current language."""
    labels = GROUPS.get(group, {})
    return labels.get(current_language()) or labels.get("en") or group


# Every enum value a page may show, in words: a template never prints a raw status.
STATUS_LABELS = {
    "vacant": _l("Vacant"),
    "let": _l("Let"),
    "opened": _l("Opened"),
    "active": _l("Counts on the map"),
    "pending": _l("Waiting for e-mail confirmation"),
    "held": _l("Waiting for review"),
    "withdrawn": _l("Withdrawn"),
    "hidden": _l("Hidden by a moderator"),
    "weekly": _l("Every week"),
    "monthly": _l("Every month"),
    "occasionally": _l("Now and then"),
}


def status_label(value: object) -> str:
    """Return a premise status, wish status or frequency in the current language."""
    key = str(getattr(value, "value", value) or "")
    label = STATUS_LABELS.get(key)
    return str(label) if label is not None else key


def init_app(app: Flask) -> None:
    """Bind Flask-Babel to app with translations from wishmap/translations."""
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", "translations")
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.globals.update(
        LANGUAGES=LANGUAGES,
        current_language=current_language,
        type_label=type_label,
        group_label=group_label,
    )
    app.jinja_env.filters["status_label"] = status_label
