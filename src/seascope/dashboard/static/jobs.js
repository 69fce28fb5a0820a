/* Jobs page: the visitor's training jobs, refreshed every few seconds. */
"use strict";

(() => {
  const { el, json, ApiError, notify, signInNotice, badge, progressBar, formatTime, formatDuration, between, base } =
    window.seascope;
  const status = document.getElementById("jobs-status");
  const panel = document.getElementById("jobs-panel");
  const body = document.querySelector("#jobs-table tbody");
  const RUNNING = new Set(["queued", "running"]);

  function fraction(job) {
    if (job.status === "done") return 1;
    const progress = job.progress || {};
    return progress.total ? Number(progress.done || 0) / Number(progress.total) : 0;
  }

  function row(job) {
    const link = `${base}/jobs/${encodeURIComponent(job.id)}`;
    return el(
      "tr",
      { dataset: { job: job.id } },
      el("td", { "data-label": "Job" }, el("a", { href: link }, el("code", { text: job.id.slice(0, 8) }))),
      el("td", { "data-label": "Module", text: job.module }),
      el("td", { "data-label": "Status" }, badge(job.status)),
      el("td", { "data-label": "Progress" }, progressBar(fraction(job), `Progress of job ${job.id.slice(0, 8)}`)),
      el("td", { "data-label": "Started", text: formatTime(job.started_at || job.created_at) }),
      el("td", {
        "data-label": "Duration",
        text: job.started_at ? formatDuration(between(job.started_at, job.finished_at)) : "—",
      }),
    );
  }

  async function refresh() {
    let jobs;
    try {
      jobs = await json("/v1/jobs");
    } catch (error) {
      panel.hidden = true;
      if (error instanceof ApiError && error.status === 401) notify(status, signInNotice("Sign in to see your training jobs."));
      else notify(status, `Could not load the jobs: ${error.message}`, "error");
      return;
    }
    body.replaceChildren(...jobs.map(row));
    panel.hidden = jobs.length === 0;
    if (jobs.length) notify(status, "");
    else {
      notify(status, [
        "No training jobs yet. ",
        el("a", { href: `${base}/train`, text: "Start one" }),
        ".",
      ]);
    }
    const delay = jobs.some((job) => RUNNING.has(job.status)) ? 2000 : 10000;
    window.setTimeout(refresh, delay);
  }

  refresh();
})();
