"""Candidates who apply: applying and confirming (submission), reading and deciding (decisions)."""

from wishmap.services.applications.decisions import (
    Candidate,
    CandidatesPage,
    NotAllowed,
    NotFound,
    applications_for,
    candidate_counts,
    candidates_page,
    decide,
    may_read,
)
from wishmap.services.applications.submission import (
    PITCH_MAX,
    ApplicationError,
    parse_application,
    pending_application,
    streets_with_vacancies,
    submit_application,
    target_label,
    vacant_premise,
    verify_application,
    withdraw_application,
    withdrawable_application,
)

__all__ = [
    "PITCH_MAX",
    "ApplicationError",
    "Candidate",
    "CandidatesPage",
    "NotAllowed",
    "NotFound",
    "applications_for",
    "candidate_counts",
    "candidates_page",
    "decide",
    "may_read",
    "parse_application",
    "pending_application",
    "streets_with_vacancies",
    "submit_application",
    "target_label",
    "vacant_premise",
    "verify_application",
    "withdraw_application",
    "withdrawable_application",
]
