"""What every wish path shares: the refusals and the check of a wish's free text."""

from __future__ import annotations

from flask_babel import gettext as _

from wishmap.models import WishFrequency

FREQUENCIES = {frequency.value for frequency in WishFrequency}
# A free wish counts for the nearest street within a long block's walk; farther away it names
# no street of this district and counts only where it stands (grid cells, hotspots).
FREE_WISH_STREET_M = 500.0


class WishError(ValueError):
    """A wish was refused; the message says why, for the resident."""


class QuotaReached(WishError):
    """The resident already has as many live wishes as the quota allows."""


class WishNotFound(WishError):
    """The wish does not exist or is not the resident's own."""


def check_text(reason: str | None, frequency: str | None, max_length: int) -> str | None:
    reason = (reason or "").strip() or None
    if reason and len(reason) > max_length:
        raise WishError(
            _(
                "The reason is %(length)d characters long; at most %(max)d fit.",
                length=len(reason),
                max=max_length,
            )
        )
    if frequency and frequency not in FREQUENCIES:
        raise WishError(
            _("The frequency must be one of %(choices)s.", choices=", ".join(sorted(FREQUENCIES)))
        )
    return reason
