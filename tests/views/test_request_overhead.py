"""The cheaper fixed cost of a request (issue 13) weakens nothing: account checks on every
request, signed session cookies across a key rotation, security headers, rate limits."""

from __future__ import annotations

from factories import make_user
from flask import Flask, Response
from sqlalchemy.orm import Session
from web import log_in

from wishmap.limits import _limits_before_view
from wishmap.models import Role
from wishmap.models.user import new_session_token
from wishmap.security import public


def _get(app: Flask, client: object, path: str, **options: object) -> Response:
    """GET path in an app context of its own: the request reads the account with its own
    database session, as in production (the fixture's session would remember it)."""
    with app.app_context():
        return client.get(path, **options)  # type: ignore[attr-defined, no-any-return]


def test_a_changed_account_counts_from_its_next_request(app: Flask, session: Session) -> None:
    admin = make_user(session, Role.ADMIN)
    client = log_in(app.test_client(), admin)
    assert _get(app, client, "/admin/reports").status_code == 200
    admin.role = Role.RESIDENT.value  # demoted
    session.commit()
    assert _get(app, client, "/admin/reports").status_code == 403
    assert _get(app, client, "/me/").status_code == 200
    admin.session_token = new_session_token()  # password changed elsewhere
    session.commit()
    assert _get(app, client, "/me/").status_code == 302
    client = log_in(app.test_client(), admin)
    assert _get(app, client, "/me/").status_code == 200
    session.delete(admin)
    session.commit()
    assert _get(app, client, "/me/").status_code == 302


def test_a_session_cookie_survives_a_key_rotation_only_with_the_old_key_as_fallback(
    app: Flask, session: Session
) -> None:
    user = make_user(session)
    kept, dropped = log_in(app.test_client(), user), log_in(app.test_client(), user)
    old_key = app.secret_key
    try:
        app.config.update(SECRET_KEY="rotated-" + str(old_key), SECRET_KEY_FALLBACKS=[old_key])
        assert _get(app, kept, "/me/").status_code == 200
        # A cookie signed with the old key only, once that key is dropped, is not read.
        app.config["SECRET_KEY_FALLBACKS"] = []
        assert _get(app, dropped, "/me/").status_code == 302
        assert _get(app, kept, "/me/").status_code == 200  # re-signed with the new key
    finally:
        app.config.update(SECRET_KEY=old_key, SECRET_KEY_FALLBACKS=[])


def test_security_headers_once_each_and_a_views_own_policy_kept(app: Flask) -> None:
    @app.get("/test-own-policy")
    @public
    def own_policy() -> Response:
        return Response("x", headers={"content-security-policy": "default-src 'none'"})

    client = app.test_client()
    answer = client.get("/healthz", base_url="https://localhost")
    for name in ("Content-Security-Policy", "X-Frame-Options", "Strict-Transport-Security"):
        assert len(answer.headers.getlist(name)) == 1, name
    policy = answer.headers["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in policy and "frame-ancestors 'none'" in policy
    assert client.get("/healthz").headers.get("Strict-Transport-Security") is None
    own = client.get("/test-own-policy")
    assert own.headers.getlist("Content-Security-Policy") == ["default-src 'none'"]
    assert own.headers["X-Content-Type-Options"] == "nosniff"


def test_the_before_view_limit_check_runs_where_a_blueprint_limit_applies(app: Flask) -> None:
    # The open-data API is limited as a blueprint: counted before its views.
    assert _limits_before_view("open_data", "open_data.premises")
    # A view's own limit is counted by its decorator; nothing else applies before it.
    assert not _limits_before_view("wishes", "wishes.create")
    assert not _limits_before_view(None, None)
