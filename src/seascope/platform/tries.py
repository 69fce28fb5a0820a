"""``TryService``: try a catalog module for a few minutes, then it stops by itself.

A try is a row of the ``tries`` table, ``running`` from its start until ``expires_at``.
Unlike AI4OS's try-me (a Nomad job with its own container per try), predictions of a
try run in the platform's own :class:`~seascope.inference.ModuleHost`: modules are
loaded once and micro-batched across everyone, so a try starts at once and costs no
process, port or memory of its own. The try only decides *whether* its owner may
predict; the per-user limit of concurrent tries keeps one user from hogging the host.

A sweeper thread marks expired tries ``stopped``; every read also reports an expired
try as stopped, so what users see is true even between two sweeps.
"""

from __future__ import annotations

import builtins
import logging
import math
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update

from seascope.errors import ConfigError, LimitReached, TryEnded
from seascope.modules import ModuleRegistry
from seascope.platform.access import owned_or_not_found, require_user
from seascope.platform.database import Database
from seascope.platform.errors import ResourceNotFound
from seascope.platform.principal import Principal
from seascope.platform.status_counts import status_counts
from seascope.platform.tables import DeploymentStatus, Try, User
from seascope.platform.timestamps import utc_now

__all__ = ["DEFAULT_TRY_LIMIT", "DEFAULT_TRY_MINUTES", "TryInfo", "TryService"]

DEFAULT_TRY_MINUTES = 10.0
"""How long a try lasts unless configured (``SEASCOPE_TRY_MINUTES``)."""

DEFAULT_TRY_LIMIT = 2
"""Concurrent tries per user unless configured (``SEASCOPE_TRY_LIMIT``)."""

TIME_IS_UP = "time is up"
STOPPED_ON_REQUEST = "stopped on request"

_log = logging.getLogger("seascope.platform.tries")


@dataclass(frozen=True)
class TryInfo:
    """One try as its owner sees it (an expired try reads as ``stopped``).

    Attributes:
        id: Its id.
        owner_id: Row id of the owning user.
        module: The module being tried.
        status: ``running`` or ``stopped``.
        created_at / expires_at / stopped_at: When it started, ends, ended (UTC).
        message: Why it ended; empty while it runs.
    """

    id: uuid.UUID
    owner_id: int
    module: str
    status: DeploymentStatus
    created_at: datetime
    expires_at: datetime
    stopped_at: datetime | None
    message: str

    def seconds_left(self, now: datetime) -> float:
        """Seconds until it ends (0 once it has)."""
        if self.status is not DeploymentStatus.RUNNING:
            return 0.0
        return max(0.0, (self.expires_at - now).total_seconds())

    @classmethod
    def of(cls, row: Try, now: datetime) -> TryInfo:
        """The truthful view of ``row`` at ``now``."""
        if row.status is DeploymentStatus.RUNNING and row.expires_at <= now:
            return cls(
                id=row.id,
                owner_id=row.owner_id,
                module=row.module,
                status=DeploymentStatus.STOPPED,
                created_at=row.created_at,
                expires_at=row.expires_at,
                stopped_at=row.expires_at,
                message=TIME_IS_UP,
            )
        return cls(
            id=row.id,
            owner_id=row.owner_id,
            module=row.module,
            status=row.status,
            created_at=row.created_at,
            expires_at=row.expires_at,
            stopped_at=row.stopped_at,
            message=row.message,
        )


class TryService:
    """Start, list, stop and check the tries of signed-in users.

    Starts a sweeper thread; call :meth:`close` to stop it.

    Args:
        database: The platform database (migrated).
        registry: The modules that may be tried (those the platform's host serves).
        duration: How long a try lasts.
        limit: Concurrent tries per user.
        sweep_interval: Seconds between two sweeps for expired tries.
        clock: The current UTC time (tests may pass another).

    Example:
        >>> tries = TryService(database, registry, duration=timedelta(minutes=10))  # doctest: +SKIP
        >>> trial = tries.start(alice, "reference")  # doctest: +SKIP
        >>> tries.require_running(alice, trial.id).module  # before predicting  # doctest: +SKIP
        'reference'
    """

    def __init__(
        self,
        database: Database,
        registry: ModuleRegistry,
        *,
        duration: timedelta = timedelta(minutes=DEFAULT_TRY_MINUTES),
        limit: int = DEFAULT_TRY_LIMIT,
        sweep_interval: float = 5.0,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        if duration <= timedelta(0) or limit < 1:
            raise ConfigError("a try needs a positive duration and a limit of at least 1")
        self.database = database
        self.registry = registry
        self.duration = duration
        self.limit = limit
        self.sweep_interval = sweep_interval
        self.clock = clock
        # SQLite has no row locks: this lock keeps one process's starts in line; on
        # PostgreSQL the user's row is locked as well (several platform processes).
        self._start_lock = threading.Lock()
        self._closed = threading.Event()
        self._sweeper = threading.Thread(
            target=self._sweep_forever, name="try-sweeper", daemon=True
        )
        self._sweeper.start()

    def start(self, principal: Principal, module: str) -> TryInfo:
        """Start a try of ``module`` for the caller, ending ``duration`` from now.

        Raises:
            AuthError: anonymous caller.
            ModuleNotFound: no such module.
            LimitReached: the caller already has ``limit`` running tries (HTTP 429;
                ``retry_after`` is when the oldest ends).
        """
        owner = self._owner(principal)
        self.registry.get(module)
        with self._start_lock, self.database.session() as session:
            session.execute(select(User.id).where(User.id == owner).with_for_update())
            now = self.clock()
            active = session.scalars(
                select(Try)
                .where(
                    Try.owner_id == owner,
                    Try.status == DeploymentStatus.RUNNING,
                    Try.expires_at > now,
                )
                .order_by(Try.expires_at)
            ).all()
            if len(active) >= self.limit:
                raise self._limit_reached(active[0], count=len(active), now=now)
            row = Try(
                owner_id=owner,
                module=module,
                status=DeploymentStatus.RUNNING,
                created_at=now,
                updated_at=now,
                expires_at=now + self.duration,
            )
            session.add(row)
            session.flush()
            return TryInfo.of(row, now)

    def list(self, principal: Principal) -> builtins.list[TryInfo]:
        """The caller's tries, newest first."""
        owner = self._owner(principal)
        now = self.clock()
        with self.database.session() as session:
            rows = session.scalars(
                select(Try).where(Try.owner_id == owner).order_by(Try.created_at.desc(), Try.id)
            )
            return [TryInfo.of(row, now) for row in rows]

    def get(self, principal: Principal, try_id: uuid.UUID | str) -> TryInfo:
        """One of the caller's tries.

        Raises:
            ResourceNotFound: no such try, or someone else's.
        """
        ident = _parse_id(try_id)
        with self.database.session() as session:
            row = session.get(Try, ident)
            info = None if row is None else TryInfo.of(row, self.clock())
        return owned_or_not_found(info, principal, kind="try", ident=try_id)

    def require_running(self, principal: Principal, try_id: uuid.UUID | str) -> TryInfo:
        """The caller's try, while it runs: call before each prediction.

        Raises:
            ResourceNotFound: no such try, or someone else's.
            TryEnded: its time is up or it was stopped (HTTP 410).
        """
        info = self.get(principal, try_id)
        if info.status is not DeploymentStatus.RUNNING:
            ended = info.stopped_at or info.expires_at
            raise TryEnded(
                f"try {info.id} of {info.module!r} ended at {ended:%Y-%m-%d %H:%M:%S} UTC "
                f"({info.message or TIME_IS_UP}); start a new one to go on"
            )
        return info

    def stop(self, principal: Principal, try_id: uuid.UUID | str) -> TryInfo:
        """End the caller's try now; an ended try is returned unchanged.

        Raises:
            ResourceNotFound: no such try, or someone else's.
        """
        info = self.get(principal, try_id)
        if info.status is DeploymentStatus.RUNNING:
            now = self.clock()
            with self.database.session() as session:
                session.execute(
                    update(Try)
                    .where(Try.id == info.id, Try.status == DeploymentStatus.RUNNING)
                    .values(
                        status=DeploymentStatus.STOPPED,
                        stopped_at=now,
                        updated_at=now,
                        message=STOPPED_ON_REQUEST,
                    )
                )
        return self.get(principal, try_id)

    def status_counts(self) -> dict[str, int]:
        """Try sessions of every user by status (for metrics)."""
        return status_counts(self.database, Try)

    def sweep(self) -> int:
        """Mark every expired running try ``stopped`` ("time is up"); how many were."""
        now = self.clock()
        with self.database.session() as session:
            expired = session.scalars(
                select(Try).where(Try.status == DeploymentStatus.RUNNING, Try.expires_at <= now)
            ).all()
            for row in expired:
                row.status = DeploymentStatus.STOPPED
                row.stopped_at = row.expires_at
                row.message = TIME_IS_UP
            return len(expired)

    def close(self) -> None:
        """Stop the sweeper thread."""
        self._closed.set()
        if self._sweeper is not threading.current_thread():
            self._sweeper.join(timeout=10.0)

    def _sweep_forever(self) -> None:
        while not self._closed.wait(self.sweep_interval):
            try:
                swept = self.sweep()
            except Exception:  # a database hiccup must not end the sweeper
                _log.exception("sweeping expired tries failed")
                continue
            if swept:
                _log.info("%d tries ended: time is up", swept)

    def _limit_reached(self, oldest: Try, *, count: int, now: datetime) -> LimitReached:
        wait = max(0.0, (oldest.expires_at - now).total_seconds())
        return LimitReached(
            f"you already have {count} running tries and the limit is {self.limit} per user; "
            f"the oldest ({oldest.module!r}) ends at {oldest.expires_at:%H:%M:%S} UTC, in "
            f"{math.ceil(wait)} s (or stop one with DELETE /v1/tries/{{id}})",
            retry_after=wait,
        )

    @staticmethod
    def _owner(principal: Principal) -> int:
        require_user(principal)
        if principal.user_id is None:
            raise ConfigError(
                "tries need signed-in users recorded in the platform database "
                "(build the authenticator with the database)"
            )
        return principal.user_id


def _parse_id(value: uuid.UUID | str) -> uuid.UUID:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(value)
    except ValueError as exc:
        raise ResourceNotFound(f"no try {value!r}") from exc
