"""``UserStore``: the ``users`` table, one row per (issuer, subject)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from seascope.platform.database import Database
from seascope.platform.tables import User

__all__ = ["LOCAL_ISSUER", "UserStore"]

LOCAL_ISSUER = "seascope"
"""The issuer of users that seascope creates itself (local mode, API-token users)."""


class UserStore:
    """Find or record users.

    Args:
        database: The platform database (migrated).
    """

    def __init__(self, database: Database) -> None:
        self.database = database

    def ensure(self, *, subject: str, issuer: str, name: str = "", email: str = "") -> int:
        """The row id of the user, creating it (or updating its name and e-mail) as needed.

        Safe when several threads or servers record the same new user at once.
        """
        try:
            return self._ensure_once(subject=subject, issuer=issuer, name=name, email=email)
        except IntegrityError:
            # Another writer created the row between our select and insert: it exists now.
            return self._ensure_once(subject=subject, issuer=issuer, name=name, email=email)

    def _ensure_once(self, *, subject: str, issuer: str, name: str, email: str) -> int:
        with self.database.session() as session:
            user = session.scalars(
                select(User).where(User.issuer == issuer, User.subject == subject)
            ).one_or_none()
            if user is None:
                user = User(subject=subject, issuer=issuer, name=name, email=email)
                session.add(user)
                session.flush()
            else:
                # The identity provider owns these: follow it, but never blank them.
                user.name = name or user.name
                user.email = email or user.email
            return user.id

    def find(self, *, subject: str, issuer: str) -> User | None:
        """The user, or ``None`` when never recorded."""
        with self.database.session() as session:
            return session.scalars(
                select(User).where(User.issuer == issuer, User.subject == subject)
            ).one_or_none()
