"""Prometheus metrics: ``GET /metrics`` in the text exposition format.

Each app owns its :class:`~prometheus_client.CollectorRegistry` (no process-wide default
registry, so several apps in one process, as in tests, never share counters). What is
exported:

- ``seascope_http_requests_total{method,route,status}`` and
  ``seascope_http_request_duration_seconds{method,route}``: every request, labelled with
  the route *template* (``/v1/jobs/{job_id}``), never the raw path, so ids cannot blow up
  the number of series;
- ``seascope_predicted_images_total{module}``, ``seascope_prediction_batches_total``,
  ``seascope_refused_requests_total{module}`` (503 Overloaded) and
  ``seascope_queued_images{module}``: the micro-batchers, read at scrape time;
- ``seascope_jobs{status}``: training jobs by status;
- ``seascope_deployments{status}`` and ``seascope_tries{status}`` when the platform
  serves them.
"""

from __future__ import annotations

import time
from collections import Counter as Tally
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from fastapi import APIRouter
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Histogram, generate_latest
from prometheus_client import Counter as PromCounter
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from seascope.inference import ModuleHost
from seascope.platform import DeploymentStatus
from seascope.training import JobManager, JobStatus

__all__ = ["Metrics", "MetricsMiddleware", "build_metrics_router"]

StatusCounts = Callable[[], Mapping[str, int]]
"""A function giving how many records are in each status (deployments, tries)."""

_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


@dataclass
class Metrics:
    """The metrics of one app.

    Args:
        host: The modules served (batcher counters and queue depths).
        jobs: Training jobs (counted by status at each scrape).
        deployments / tries: Counts by status, when the platform serves them.
    """

    host: ModuleHost
    jobs: JobManager
    deployments: StatusCounts | None = None
    tries: StatusCounts | None = None
    registry: CollectorRegistry = field(default_factory=CollectorRegistry)

    def __post_init__(self) -> None:
        self.requests = PromCounter(
            "seascope_http_requests",
            "HTTP requests answered, by route template and status.",
            ("method", "route", "status"),
            registry=self.registry,
        )
        self.latency = Histogram(
            "seascope_http_request_duration_seconds",
            "Time from the request's arrival to the end of its response.",
            ("method", "route"),
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.registry.register(_StateCollector(self))

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        """Count one answered request."""
        self.requests.labels(method, route, str(status)).inc()
        self.latency.labels(method, route).observe(seconds)

    def exposition(self) -> bytes:
        """Everything, in Prometheus' text format."""
        return generate_latest(self.registry)


class _StateCollector(Collector):
    """Reads batchers, jobs, deployments and tries when Prometheus scrapes."""

    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics

    def collect(self) -> Iterator[Metric]:
        batchers = self.metrics.host.batchers()
        predicted = CounterMetricFamily(
            "seascope_predicted_images", "Images predicted, by module.", labels=["module"]
        )
        batches = CounterMetricFamily(
            "seascope_prediction_batches", "Module calls (micro-batches).", labels=["module"]
        )
        refused = CounterMetricFamily(
            "seascope_refused_requests",
            "Prediction requests refused with 503 (queue full, shutting down).",
            labels=["module"],
        )
        queued = GaugeMetricFamily(
            "seascope_queued_images",
            "Images waiting or being predicted right now.",
            labels=["module"],
        )
        for name, batcher in sorted(batchers.items()):
            predicted.add_metric([name], batcher.predicted_images)
            batches.add_metric([name], batcher.batches)
            refused.add_metric([name], batcher.refused_requests)
            queued.add_metric([name], batcher.queued_images)
        yield from (predicted, batches, refused, queued)
        jobs = Tally(record.status.value for record in self.metrics.jobs.list())
        every = [status.value for status in JobStatus]
        yield _by_status("seascope_jobs", "Training jobs by status.", jobs, every)
        statuses = [status.value for status in DeploymentStatus]
        if self.metrics.deployments is not None:
            counts = self.metrics.deployments()
            yield _by_status("seascope_deployments", "Deployments by status.", counts, statuses)
        if self.metrics.tries is not None:
            counts = self.metrics.tries()
            yield _by_status("seascope_tries", "Try-it sessions by status.", counts, statuses)


def _by_status(
    name: str, documentation: str, counts: Mapping[str, int], every: Iterable[str] = ()
) -> GaugeMetricFamily:
    """One gauge sample per status; statuses in ``every`` are shown even at zero."""
    gauge = GaugeMetricFamily(name, documentation, labels=["status"])
    for status in sorted(set(every) | set(counts)):
        gauge.add_metric([status], counts.get(status, 0))
    return gauge


class MetricsMiddleware:
    """Times and counts every HTTP request, labelled with its route template."""

    def __init__(self, app: ASGIApp, *, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def recording_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, recording_send)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            self.metrics.observe(scope["method"], template, status, time.perf_counter() - started)


def build_metrics_router(metrics: Metrics) -> APIRouter:
    """``GET /metrics``."""
    router = APIRouter(tags=["health"])

    @router.get("/metrics", response_class=Response)
    def exposition() -> Response:
        """Prometheus metrics (text exposition format)."""
        return Response(metrics.exposition(), media_type=CONTENT_TYPE_LATEST)

    return router
