"""What a deployment may use (CPUs, memory), checked against the machine that runs it."""

from __future__ import annotations

import os
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field

from seascope.errors import InvalidParameters
from seascope.machine import cpu_cores

__all__ = ["DeploymentResources", "MachineLimits", "check_resources"]

_MIB = 1024 * 1024


class DeploymentResources(BaseModel):
    """The resources of one deployment (AI4OS ``hardware.cpu_num`` and ``hardware.ram``).

    Attributes:
        cpus: CPU cores: the server's thread pools are sized to it and, where the
            machine has more cores, the process is pinned to that many.
        memory_mb: Memory limit in MiB: a server whose processes use more (resident
            memory) is stopped and handled like a crash (restart policy, then failed).

    Example:
        >>> DeploymentResources(cpus=2).memory_mb
        2048
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    cpus: int = Field(default=1, ge=1, description="CPU cores for the server.")
    memory_mb: int = Field(
        default=2048, ge=64, description="Memory limit of the server in MiB (resident memory)."
    )


@dataclass(frozen=True)
class MachineLimits:
    """The most a single deployment may ask for on this machine.

    Attributes:
        cpus: CPU cores this process may run on.
        memory_mb: Physical memory in MiB.
    """

    cpus: int
    memory_mb: int

    @classmethod
    def of_this_machine(cls) -> MachineLimits:
        """The cores this process may use and the machine's physical memory."""
        try:
            memory = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") // _MIB
        except (ValueError, OSError):
            memory = 0
        return cls(cpus=cpu_cores(), memory_mb=int(memory) or 1 << 30)


def check_resources(resources: DeploymentResources, limits: MachineLimits) -> None:
    """Refuse ``resources`` that this machine cannot give.

    Raises:
        InvalidParameters: more CPUs or memory than the machine has (HTTP 422), with
            the field at fault in ``fields``.

    Example:
        >>> check_resources(DeploymentResources(cpus=64), MachineLimits(cpus=8, memory_mb=16000))
        Traceback (most recent call last):
        ...
        seascope.errors.InvalidParameters: resources.cpus: 64 CPUs asked, this machine has 8
    """
    fields: dict[str, list[str]] = {}
    if resources.cpus > limits.cpus:
        fields["resources.cpus"] = [f"{resources.cpus} CPUs asked, this machine has {limits.cpus}"]
    if resources.memory_mb > limits.memory_mb:
        fields["resources.memory_mb"] = [
            f"{resources.memory_mb} MiB asked, this machine has {limits.memory_mb} MiB"
        ]
    if fields:
        summary = "; ".join(f"{name}: {' '.join(text)}" for name, text in fields.items())
        raise InvalidParameters(summary, fields)
