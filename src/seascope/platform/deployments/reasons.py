"""Why a deployment failed, in words: the messages the supervisor records."""

from __future__ import annotations

import signal

from seascope.platform.deployments.backend import DeploymentBackend, DeploymentHandle, Probe

__all__ = ["LOG_LINES_IN_MESSAGES", "MESSAGE_CHARACTERS", "ended_reason", "log_end"]

LOG_LINES_IN_MESSAGES = 12
"""Lines of the server's log quoted in the message of a failure."""

MESSAGE_CHARACTERS = 4000
"""The longest message recorded (the end of a long one is kept)."""


def ended_reason(backend: DeploymentBackend, handle: DeploymentHandle, probe: Probe) -> str:
    """``the server exited with code 3; the end of its log: ...`` (or killed, or ended)."""
    code = probe.exit_code
    if code is None:
        what = "the server process ended"
    elif code < 0:
        try:
            what = f"the server was killed by {signal.Signals(-code).name}"
        except ValueError:
            what = f"the server was killed by signal {-code}"
    else:
        what = f"the server exited with code {code}"
    return what + log_end(backend, handle)


def log_end(backend: DeploymentBackend, handle: DeploymentHandle) -> str:
    """``; the end of its log:`` and the server's last lines ("" without a log)."""
    tail = backend.logs(handle, tail=LOG_LINES_IN_MESSAGES).strip()
    if not tail:
        return ""
    return f"; the end of its log:\n{tail[-(MESSAGE_CHARACTERS // 2) :]}"
