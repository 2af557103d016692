"""Site texts: admins write the district's name, the map's introduction and the privacy notice in
each language; the map and the privacy page show them in the reader's language."""

from __future__ import annotations

from typing import Any

from babel import Locale
from flask import Blueprint, Response, abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import Field, StringField, TextAreaField
from wtforms.validators import Length, ValidationError

from wishmap import db
from wishmap.i18n import LANGUAGES, current_language
from wishmap.models.site_text import SITE_TEXT_LANGUAGES
from wishmap.security import public, roles
from wishmap.services import site_texts
from wishmap.services.site_texts import MAX_LENGTH, paragraphs

bp = Blueprint("site_texts", __name__)


def _allowed_characters(form: FlaskForm, field: Field) -> None:
    """Refuse what the service would refuse, next to the field."""
    if field.data and (reason := site_texts.problem(field.short_name, field.data)):
        raise ValidationError(reason)


class SiteTextsForm(FlaskForm):
    """The three texts of one language; each form is prefixed with its language code."""

    district_name = StringField(
        _l("Name of the district"),
        validators=[Length(max=MAX_LENGTH["district_name"]), _allowed_characters],
    )
    introduction = TextAreaField(
        _l("Introduction on the map"),
        validators=[Length(max=MAX_LENGTH["introduction"]), _allowed_characters],
    )
    privacy_notice = TextAreaField(
        _l("Privacy notice"),
        validators=[Length(max=MAX_LENGTH["privacy_notice"]), _allowed_characters],
    )


def site_text(key: str) -> str | None:
    """Return the deployer's text for key in the reader's language (or another), else None."""
    # Read once per request and no longer: a text saved now shows on the very next page.
    if "site_texts" not in g:
        g.site_texts = site_texts.texts_for(db.session(), current_language())
    return g.site_texts.get(key)


@bp.app_context_processor
def _template_helpers() -> dict[str, Any]:
    return {"site_text": site_text, "paragraphs": paragraphs}


@bp.get("/privacy")
@public
def privacy() -> str:
    """The privacy notice in the reader's language."""
    return render_template("site_texts/privacy.html")


def _forms(stored: dict[str, dict[str, str]]) -> dict[str, SiteTextsForm]:
    # formdata=None: each form shows what is stored, never another language's posted fields.
    return {
        language: SiteTextsForm(prefix=language, formdata=None, data=stored.get(language, {}))
        for language in SITE_TEXT_LANGUAGES
    }


def _language_names() -> dict[str, str]:
    """Return each site language's name in the reader's language, for use inside a sentence."""
    # "Enregistrer les textes en anglais", not "en English": LANGUAGES holds the endonyms.
    return {code: Locale.parse(code).get_display_name(current_language()) for code in LANGUAGES}


@bp.get("/admin/texts")
@roles()
def edit() -> str:
    """One form per language with the texts written so far."""
    forms = _forms(site_texts.texts_by_language(db.session()))
    return render_template(
        "admin/texts.html", forms=forms, languages=LANGUAGES, language_names=_language_names()
    )


@bp.post("/admin/texts/<language>")
@roles()
def save(language: str) -> tuple[str, int] | Response:
    """Save one language's texts; an empty field gives the text back to the fallback."""
    if language not in SITE_TEXT_LANGUAGES:
        abort(404)
    session = db.session()
    forms = _forms(site_texts.texts_by_language(session))
    form = SiteTextsForm(prefix=language)
    forms[language] = form
    if form.validate_on_submit():
        values = {key: form[key].data or "" for key in MAX_LENGTH}
        try:
            changed = site_texts.save_texts(session, current_user, language, values)
        except site_texts.SiteTextError as error:
            form.district_name.errors = [str(error)]
        else:
            if changed:
                flash(
                    _(
                        "The texts in %(language)s are saved.",
                        language=_language_names()[language],
                    )
                )
            else:
                flash(_("Nothing changed."))
            return redirect(url_for("site_texts.edit"))
    return render_template(
        "admin/texts.html", forms=forms, languages=LANGUAGES, language_names=_language_names()
    ), 400
