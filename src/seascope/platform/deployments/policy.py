"""How deployments are watched and restarted: ``RestartPolicy`` and ``SupervisionOptions``."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["RestartPolicy", "SupervisionOptions"]


@dataclass(frozen=True)
class RestartPolicy:
    """Restart on failure, a limited number of times, waiting longer each time.

    A failure is a server process that exits, uses more memory than its limit, does not
    answer its health check in time after a start, or stops answering it while running.
    A deployment stopped on request is never restarted.

    Attributes:
        max_restarts: Restarts allowed over the deployment's life; the failure after
            the last one marks it ``failed``. 0 never restarts.
        backoff_seconds: Wait before the first restart; doubled for each further one.
        backoff_max_seconds: The longest wait.

    Example:
        >>> policy = RestartPolicy(max_restarts=5, backoff_seconds=1.0, backoff_max_seconds=5.0)
        >>> [policy.delay(n) for n in range(1, 6)]
        [1.0, 2.0, 4.0, 5.0, 5.0]
    """

    max_restarts: int = 3
    backoff_seconds: float = 1.0
    backoff_max_seconds: float = 30.0

    def delay(self, restart: int) -> float:
        """Seconds to wait before restart number ``restart`` (1 for the first)."""
        return float(min(self.backoff_max_seconds, self.backoff_seconds * 2 ** max(0, restart - 1)))


@dataclass(frozen=True)
class SupervisionOptions:
    """How often and how patiently the supervisor looks at deployments.

    Attributes:
        interval: Seconds between two rounds of the supervisor (process and memory checks).
        health_interval: Seconds between health checks of a running deployment.
        health_timeout: Seconds a health check may take.
        start_timeout: Seconds a new server has to answer its first health check.
        unhealthy_after: Failed health checks in a row that count as a failure.
        adopt_interval: Seconds between looks for deployments that no live platform
            process watches (started by ``seascope deployments start``, or whose
            platform process died); 0 turns this off.
    """

    interval: float = 0.5
    health_interval: float = 2.0
    health_timeout: float = 2.0
    start_timeout: float = 120.0
    unhealthy_after: int = 3
    adopt_interval: float = 5.0
