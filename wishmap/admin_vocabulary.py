"""The administration's words: roles, and the audit log's actions and changes, in the reader's
language. The log stores codes (hide_wish, {"status": "active"}); pages show them in words."""

from __future__ import annotations

import json
from typing import Any

from flask_babel import lazy_gettext as _l

from wishmap.i18n import status_label

ROLE_LABELS = {
    "resident": _l("Resident"),
    "owner": _l("Owner"),
    "agency": _l("Agency"),
    "officer": _l("City officer"),
    "admin": _l("Administrator"),
}

ACTION_LABELS = {
    "hide_wish": _l("Wish hidden"),
    "restore_wish": _l("Wish restored"),
    "hold_wish": _l("Wish held by the burst rules"),
    "release_wish": _l("Held wish released"),
    "reject_wish": _l("Held wish rejected"),
    "dismiss_report": _l("Report dismissed"),
    "change_role": _l("Role changed"),
    "create_user": _l("Account created"),
    "import_residents": _l("Residents imported"),
    "create_api_token": _l("API token created"),
    "revoke_api_token": _l("API token revoked"),
    "set_exclusions": _l("Excluded shop types changed"),
    "approve_claim": _l("Claim approved"),
    "reject_claim": _l("Claim rejected"),
    "application.shortlisted": _l("Application shortlisted"),
    "application.rejected": _l("Application rejected"),
    "application.accepted": _l("Application accepted"),
    "site_text.update": _l("Text of the site changed"),
}

TARGET_LABELS = {
    "wish": _l("Wish"),
    "report": _l("Report"),
    "user": _l("Account"),
    "claim": _l("Claim"),
    "application": _l("Application"),
    "api_token": _l("API token"),
    "exclusions": _l("Excluded shop types"),
    "site_text": _l("Text of the site"),
}

FIELD_LABELS = {
    "status": _l("status"),
    "role": _l("role"),
    "manager_id": _l("manager (account number)"),
    "premise_id": _l("premise number"),
    "rule": _l("rule"),
    "burst": _l("burst"),
    "scope": _l("scope"),
    "revoked": _l("revoked"),
    "types": _l("shop types"),
    "created": _l("created"),
    "updated": _l("updated"),
    "key": _l("text"),
    "language": _l("language"),
    "text": _l("wording"),
}

# Statuses of claims, reports and applications; a wish's or premise's go through status_label.
_OTHER_STATUSES = {
    "approved": _l("Approved"),
    "rejected": _l("Rejected"),
    "open": _l("Open"),
    "dismissed": _l("Dismissed"),
    "resolved": _l("Resolved"),
    "submitted": _l("Submitted"),
    "shortlisted": _l("Shortlisted"),
    "accepted": _l("Accepted"),
    "unverified": _l("Not confirmed yet"),
}
_SITE_TEXT_KEYS = {
    "district_name": _l("Name of the district"),
    "introduction": _l("Introduction on the map"),
    "privacy_notice": _l("Privacy notice"),
}


def role_label(role: str | None) -> str:
    """Return a role in words in the current language (unknown codes as they are)."""
    label = ROLE_LABELS.get(role or "")
    return str(label) if label is not None else str(role or "")


def action_label(action: str) -> str:
    """Return an audit action in words."""
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action


def target_label(target_type: str) -> str:
    """Return the kind of record an audit entry names, in words."""
    label = TARGET_LABELS.get(target_type)
    return str(label) if label is not None else target_type


def _value(field: str, value: Any) -> str:
    if isinstance(value, bool):
        return str(_l("yes") if value else _l("no"))
    if value is None:
        return "—"
    if isinstance(value, list):
        return ", ".join(_value(field, item) for item in value)
    if field == "role":
        return role_label(str(value))
    if field == "key" and value in _SITE_TEXT_KEYS:
        return str(_SITE_TEXT_KEYS[value])
    if field == "status" and value in _OTHER_STATUSES:
        return str(_OTHER_STATUSES[value])
    if field == "status":
        return status_label(value)
    return str(value)


def change_text(stored: str | None) -> list[tuple[str, str]]:
    """Return the (field, value) pairs of an audit entry's stored JSON, in words."""
    if not stored:
        return []
    try:
        fields = json.loads(stored)
    except ValueError:
        return [("", stored)]
    if not isinstance(fields, dict):
        return [("", stored)]
    return [
        (str(FIELD_LABELS.get(name, name)), _value(name, value)) for name, value in fields.items()
    ]
