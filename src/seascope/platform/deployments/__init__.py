"""Deployments: a module's inference service started for one user, supervised, persisted.

:class:`DeploymentService` is what the API and the CLI call; a
:class:`DeploymentBackend` runs the servers (:class:`LocalProcessBackend`: one
``seascope serve`` process each, on this machine; a Ray backend fits the same
interface). See ``docs/deployments.md`` for the life cycle, the restart policy and what
happens when the platform restarts.

Typical wiring (a composition root)::

    backend = LocalProcessBackend(home, environment={"SEASCOPE_DATABASE_URL": url})
    deployments = DeploymentService(database, backend, registry)
    deployments.recover()       # reattach what survived the last platform process
    ...
    deployments.close()         # servers keep running
"""

from seascope.platform.deployments.backend import (
    HEALTH_PATH,
    DeploymentBackend,
    DeploymentHandle,
    LaunchSpec,
    Probe,
)
from seascope.platform.deployments.local import (
    DEPLOYMENT_ID_VARIABLE,
    THREAD_VARIABLES,
    LocalProcessBackend,
)
from seascope.platform.deployments.policy import RestartPolicy, SupervisionOptions
from seascope.platform.deployments.resources import (
    DeploymentResources,
    MachineLimits,
    check_resources,
)
from seascope.platform.deployments.service import DeploymentService, parse_record_id
from seascope.platform.deployments.store import ACTIVE, DeploymentInfo, DeploymentStore

__all__ = [
    "ACTIVE",
    "DEPLOYMENT_ID_VARIABLE",
    "HEALTH_PATH",
    "THREAD_VARIABLES",
    "DeploymentBackend",
    "DeploymentHandle",
    "DeploymentInfo",
    "DeploymentResources",
    "DeploymentService",
    "DeploymentStore",
    "LaunchSpec",
    "LocalProcessBackend",
    "MachineLimits",
    "Probe",
    "RestartPolicy",
    "SupervisionOptions",
    "check_resources",
    "parse_record_id",
]
