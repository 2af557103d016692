"""The city's OpenID Connect provider as an Authlib client, bound per app; off when unset.

Configured by OIDC_ISSUER (or OIDC_METADATA_URL), OIDC_CLIENT_ID, OIDC_CLIENT_SECRET,
OIDC_NAME and OIDC_SCOPES (wishmap/config.py). Each app gets its own client, so that two apps
in one process (tests, several cities) never share a provider.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app

EXTENSION = "wishmap_identity_provider"


def metadata_url(config: Any) -> str:
    """Return the provider's discovery document URL ("" when log-in through it is off)."""
    if not config.get("OIDC_CLIENT_ID"):
        return ""
    if config.get("OIDC_METADATA_URL"):
        return str(config["OIDC_METADATA_URL"])
    issuer = str(config.get("OIDC_ISSUER") or "").rstrip("/")
    return f"{issuer}/.well-known/openid-configuration" if issuer else ""


def init_app(app: Flask) -> None:
    """Register the provider's client on app when it is configured."""
    # Templates show "Log in with …" when this gives a name (None: the provider is off).
    app.add_template_global(button_name, "identity_provider_name")
    url = metadata_url(app.config)
    if not url:
        return
    # Imported only when a provider is configured: Authlib's Flask client pulls in requests and
    # urllib3, a large share of every process's start-up (`flask analyse` included) otherwise.
    from authlib.integrations.flask_client import OAuth

    oauth = OAuth(app)
    oauth.register(
        name="city",
        client_id=app.config["OIDC_CLIENT_ID"],
        client_secret=app.config.get("OIDC_CLIENT_SECRET") or None,
        server_metadata_url=url,
        client_kwargs={"scope": app.config.get("OIDC_SCOPES") or "openid email"},
    )
    app.extensions[EXTENSION] = oauth.city


def client() -> Any | None:
    """Return the current app's provider client, or None when log-in through it is off."""
    return current_app.extensions.get(EXTENSION)


def display_name() -> str:
    """Return the provider's name for buttons and messages."""
    return str(current_app.config.get("OIDC_NAME") or "") or "OpenID Connect"


def button_name() -> str | None:
    """Return the provider's name when log-in through it is on, else None."""
    return display_name() if client() is not None else None
