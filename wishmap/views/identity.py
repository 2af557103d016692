"""Log-in through the city's OpenID Connect provider (off unless configured): out and back."""

from __future__ import annotations

import logging
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user
from joserfc.errors import JoseError

from wishmap import db, identity_provider
from wishmap.limits import configured, limiter
from wishmap.security import public
from wishmap.services.identities import IdentityError, log_in_with_provider
from wishmap.views._nav import safe_path

bp = Blueprint("identity", __name__, url_prefix="/account/provider")
log = logging.getLogger(__name__)
NEXT_KEY = "identity_next"


def _client() -> Any:  # Authlib's client class is not typed
    client = identity_provider.client()
    if client is None:
        abort(404)  # log-in through a provider is a deployment option, off here
    return client


def _errors() -> tuple[type[Exception], type[Exception]]:
    # Imported once a provider is configured (Authlib and requests are slow to import and most
    # processes never log anyone in through a provider): (OAuthError, RequestException).
    from authlib.integrations.base_client.errors import OAuthError
    from requests import RequestException

    return OAuthError, RequestException


def _failed(message: str, status: int) -> tuple[str, int]:
    return render_template("identity/failed.html", message=message), status


@bp.get("/login")
@public
def login() -> Response:
    """Send the visitor to the provider; state and nonce wait in the session for the return."""
    client = _client()
    OAuthError, RequestException = _errors()
    session[NEXT_KEY] = safe_path(request.args.get("next"), url_for("map.index"))
    try:
        return client.authorize_redirect(url_for("identity.callback", _external=True))
    except (RequestException, OAuthError, ValueError) as error:
        log.warning("identity provider unreachable: %s", error)
        return _failed(_("The identity provider does not answer just now. Try again later."), 502)


@bp.get("/callback")
@public
@limiter.limit(configured("LOGIN_RATE_LIMIT"))
def callback() -> tuple[str, int] | Response:
    """Back from the provider: check state, token and nonce, then log in (creating the account)."""
    client = _client()
    OAuthError, RequestException = _errors()
    if request.args.get("error"):
        # The person cancelled or the provider refused: nothing to log in.
        return _failed(_("The identity provider did not log you in. Nothing was changed."), 400)
    try:
        token = client.authorize_access_token()
    except OAuthError as error:
        # Unknown or replayed state (MismatchingStateError), a refused code, …
        reason = (
            _("This log-in link is unknown or already used (state). Start the log-in again.")
            if error.error == "mismatching_state"
            else _("The identity provider refused the log-in. Start again.")
        )
        return _failed(reason, 400)
    except JoseError as error:
        log.warning("identity provider's id_token refused: %s", error)
        return _failed(
            _("The identity provider's answer could not be checked (signature, nonce or dates)."),
            400,
        )
    except RequestException as error:
        log.warning("identity provider unreachable: %s", error)
        return _failed(_("The identity provider does not answer just now. Try again later."), 502)
    claims = token.get("userinfo")
    if not claims:
        return _failed(_("The identity provider sent no identity (id_token)."), 400)
    try:
        user = log_in_with_provider(
            db.session(),
            str(claims["iss"]),
            dict(claims),
            current_user._get_current_object() if current_user.is_authenticated else None,
        )
    except IdentityError as error:
        return _failed(str(error), 400)
    login_user(user)
    flash(_("You are logged in through %(provider)s.", provider=identity_provider.display_name()))
    return redirect(session.pop(NEXT_KEY, None) or url_for("map.index"))
