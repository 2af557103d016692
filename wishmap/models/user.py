from __future__ import annotations

import enum
import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from wishmap.db import Base
from wishmap.models._types import UTCDateTime, enum_check, utcnow


class Role(enum.StrEnum):
    RESIDENT = "resident"
    OWNER = "owner"
    AGENCY = "agency"
    OFFICER = "officer"
    ADMIN = "admin"


def new_session_token() -> str:
    """Return a fresh random session token."""
    return secrets.token_hex(16)


class User(UserMixin, Base):
    __tablename__ = "users"
    __table_args__ = (enum_check("role", Role, "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(80))
    # None: the account cannot log in with a password (e.g. generated demo residents).
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default=Role.RESIDENT.value)
    locale: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Part of the id kept in session and remember-me cookies: a new value (password change,
    # reset) logs every other session out.
    session_token: Mapped[str] = mapped_column(String(32), default=new_session_token)
    # Set for a respondent without an account (a paper form, an anonymised survey id), made by
    # `import-wishes`: SHA-256 of campaign and respondent id, so a re-import finds them again.
    # Such a resident keeps `email` NOT NULL through a reserved address under the `.invalid`
    # top-level domain (RFC 2606: never delivered), rather than a nullable e-mail column:
    # every query, import and template that reads `email` keeps working, and SQLite need not
    # rebuild the users table. They have no password (no log-in), are skipped by password
    # resets, notifications and e-mails (services/respondents.py, wishmap/mail.py).
    respondent_key: Mapped[str | None] = mapped_column(String(64), unique=True, index=True)

    @property
    def is_respondent(self) -> bool:
        """Return True for a no-login resident made from an imported survey respondent."""
        return self.respondent_key is not None

    def get_id(self) -> str:
        """Return the id Flask-Login keeps in cookies: user id and session token."""
        return f"{self.id}:{self.session_token}"

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"
