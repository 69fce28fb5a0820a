/* Job page: live progress (polled every 2 s), metric charts, log tail, cancel/resume and,
   once the job is done, its confusion matrix and per-class metrics. */
"use strict";

(() => {
  const { el, api, json, ApiError, notify, signInNotice, formatTime, formatDuration, between, lineChart, base } =
    window.seascope;
  const root = document.getElementById("job");
  if (!root) return;
  const jobId = root.dataset.job;
  const jobPath = `/v1/jobs/${encodeURIComponent(jobId)}`;
  const POLL_MS = 2000;
  const FINISHED = new Set(["done", "error", "cancelled", "interrupted"]);
  const RESUMABLE = new Set(["error", "cancelled", "interrupted"]);
  const notice = document.getElementById("job-notice");
  let lastStatus = null;
  let finishedShown = false;

  function percent(value) {
    return `${(value * 100).toFixed(1)} %`;
  }

  function metricValue(key, value) {
    if (typeof value !== "number") return String(value);
    return /accuracy|f1/.test(key) && value <= 1 ? percent(value) : String(Number(value.toFixed(4)));
  }

  function renderFacts(job) {
    const facts = document.getElementById("job-facts");
    const args = job.args || {};
    const rows = [
      ["Module", el("a", { href: `${base}/modules/${encodeURIComponent(job.module)}`, text: job.module })],
      ["Created", formatTime(job.created_at)],
      ["Started", formatTime(job.started_at) || "—"],
      ["Finished", formatTime(job.finished_at) || "—"],
      ["Duration", job.started_at ? formatDuration(between(job.started_at, job.finished_at)) : "—"],
    ];
    if (typeof args.dataset === "string") rows.push(["Dataset", el("code", { text: args.dataset })]);
    const others = Object.entries(args).filter(([key]) => key !== "dataset");
    if (others.length) {
      rows.push([
        "Parameters",
        el("code", { text: others.map(([key, value]) => `${key}=${JSON.stringify(value)}`).join(" ") }),
      ]);
    }
    if (job.message) rows.push(["Message", job.message]);
    facts.replaceChildren(...rows.flatMap(([key, value]) => [el("dt", { text: key }), el("dd", {}, value)]));
  }

  function renderProgress(job) {
    const progress = job.progress || {};
    const total = Number(progress.total) || 0;
    let fraction = total ? Number(progress.done || 0) / total : 0;
    if (job.status === "done") fraction = 1;
    const box = document.getElementById("job-progress");
    const pct = Math.round(Math.max(0, Math.min(1, fraction)) * 100);
    box.querySelector(".fill").style.width = `${pct}%`;
    box.querySelector(".track").setAttribute("aria-valuenow", String(pct));
    box.querySelector(".pct").textContent = `${pct}%`;
    const message = progress.message ? String(progress.message) : "";
    const counts = total > 1 ? ` (${progress.done} of ${total})` : "";
    const finished = {
      done: "Finished.",
      error: `Failed: ${job.message || "see the log"}`,
      cancelled: "Cancelled.",
      interrupted: "Interrupted when the platform stopped; resume it to continue.",
    };
    document.getElementById("job-progress-message").textContent =
      job.status === "queued" ? "Waiting to start…" : finished[job.status] || `${message}${counts}`;
  }

  function series(metrics, test) {
    const keys = new Set();
    for (const entry of metrics) for (const key of Object.keys(entry)) if (test(key)) keys.add(key);
    return [...keys].sort().map((key) => ({
      name: key.replace(/_/g, " "),
      points: metrics
        .filter((entry) => typeof entry[key] === "number")
        .map((entry, index) => [Number(entry.epoch ?? entry.step ?? index + 1), entry[key]]),
    }));
  }

  function renderMetrics(job) {
    const metrics = job.metrics || [];
    const loss = series(metrics, (key) => /loss/.test(key) && !/log_loss/.test(key));
    const score = series(metrics, (key) => /^(train|val)_(macro_f1|accuracy)$/.test(key));
    // A module that reports no loss (the reference module) gets no empty loss chart.
    document.getElementById("chart-loss").hidden = !loss.some((s) => s.points.length);
    lineChart(document.querySelector("#chart-loss .chart-body"), loss, { label: "Loss per epoch" });
    // Macro-F1 first: it is what the classifier selects its best epoch by.
    score.sort((a, b) => (/f1/.test(b.name) ? 1 : 0) - (/f1/.test(a.name) ? 1 : 0));
    lineChart(document.querySelector("#chart-score .chart-body"), score, {
      percent: true,
      label: "Validation score per epoch",
      empty: job.status === "running" ? "Waiting for the first epoch…" : "No score reported.",
    });
    const result = job.result && typeof job.result === "object" ? job.result : {};
    const final = result.metrics && typeof result.metrics === "object" ? result.metrics : {};
    const box = document.getElementById("job-final-metrics");
    const entries = Object.entries(final);
    box.replaceChildren(
      ...(entries.length
        ? [
            el("h3", { text: "Final metrics" }),
            el(
              "dl",
              { class: "facts" },
              entries.flatMap(([key, value]) => [
                el("dt", { text: key.replace(/_/g, " ") }),
                el("dd", { text: metricValue(key, value) }),
              ]),
            ),
          ]
        : []),
    );
  }

  async function renderLog() {
    const pre = document.getElementById("job-log");
    const response = await api(`${jobPath}/log?tail=200`, { headers: { Accept: "text/plain" } });
    if (!response.ok) return;
    const text = await response.text();
    const atBottom = pre.scrollHeight - pre.scrollTop - pre.clientHeight < 24;
    pre.textContent = text || "(empty)";
    if (atBottom) pre.scrollTop = pre.scrollHeight;
  }

  function parseCsv(text) {
    const rows = [];
    let row = [];
    let cell = "";
    let quoted = false;
    for (let i = 0; i < text.length; i += 1) {
      const c = text[i];
      if (quoted) {
        if (c === '"' && text[i + 1] === '"') {
          cell += '"';
          i += 1;
        } else if (c === '"') quoted = false;
        else cell += c;
      } else if (c === '"') quoted = true;
      else if (c === ",") {
        row.push(cell);
        cell = "";
      } else if (c === "\n" || c === "\r") {
        if (c === "\r" && text[i + 1] === "\n") i += 1;
        row.push(cell);
        rows.push(row);
        row = [];
        cell = "";
      } else cell += c;
    }
    if (cell || row.length) {
      row.push(cell);
      rows.push(row);
    }
    return rows;
  }

  async function fetchFile(name) {
    const response = await api(`${jobPath}/files/${encodeURIComponent(name)}`, { headers: { Accept: "*/*" } });
    return response.ok ? response.text() : null;
  }

  function confusionTable(rows) {
    const [header, ...body] = rows;
    const classes = header.slice(1);
    return el(
      "table",
      { class: "confusion", id: "confusion-table" },
      el(
        "thead",
        {},
        el(
          "tr",
          {},
          el("th", { class: "corner", scope: "col", text: "true ↓ · predicted →" }),
          classes.map((name) => el("th", { scope: "col", text: name })),
        ),
      ),
      el(
        "tbody",
        {},
        body.map((row, i) => {
          const counts = row.slice(1).map(Number);
          const total = counts.reduce((a, b) => a + b, 0) || 1;
          return el(
            "tr",
            {},
            el("th", { scope: "row", text: row[0] }),
            counts.map((count, j) => {
              const share = count / total;
              const hue = i === j ? "28, 122, 63" : "176, 42, 42";
              const alpha = count ? 0.12 + 0.78 * share : 0;
              const dark = alpha > 0.55;
              return el("td", {
                text: String(count),
                title: `${row[0]} → ${classes[j]}: ${count} (${(share * 100).toFixed(0)} % of the row)`,
                style: `background: rgba(${hue}, ${alpha.toFixed(2)});${dark ? " color: #fff;" : ""}`,
              });
            }),
          );
        }),
      ),
    );
  }

  function perClassTable(rows) {
    const [header, ...body] = rows;
    return el(
      "table",
      { class: "list", id: "per-class-table" },
      el("thead", {}, el("tr", {}, header.map((name) => el("th", { scope: "col", text: name })))),
      el(
        "tbody",
        {},
        body.map((row) =>
          el(
            "tr",
            {},
            row.map((value, index) => el("td", { "data-label": header[index], text: value })),
          ),
        ),
      ),
    );
  }

  async function renderEvaluation() {
    for (const split of ["test", "val"]) {
      const matrix = await fetchFile(`${split}-confusion-matrix.csv`);
      if (!matrix) continue;
      const rows = parseCsv(matrix.trim());
      if (rows.length < 2) continue;
      document.getElementById("confusion-matrix").replaceChildren(confusionTable(rows));
      const splitName = split === "val" ? "validation" : "test";
      document.getElementById("confusion-caption").textContent =
        `On the ${splitName} split: rows are the true classes, columns the predicted ones; ` +
        "the shade is the share of the row (green: correct, red: confused).";
      const perClass = await fetchFile(`${split}-per-class.csv`);
      if (perClass) {
        document.getElementById("per-class").replaceChildren(
          el("h3", { text: "Per class" }),
          perClassTable(parseCsv(perClass.trim())),
        );
      }
      document.getElementById("confusion-panel").hidden = false;
      return;
    }
  }

  function renderActions(job) {
    const cancel = document.getElementById("job-cancel");
    const resume = document.getElementById("job-resume");
    cancel.hidden = FINISHED.has(job.status);
    resume.hidden = !RESUMABLE.has(job.status);
  }

  function render(job) {
    const badge = document.getElementById("job-status");
    badge.className = `badge ${job.status}`;
    badge.textContent = job.status;
    document.getElementById("job-summary").textContent = `Training ${job.module}`;
    renderFacts(job);
    renderProgress(job);
    renderMetrics(job);
    renderActions(job);
    document.getElementById("job-body").hidden = false;
    notify(notice, "");
  }

  async function refresh() {
    let job;
    try {
      job = await json(jobPath);
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) notify(notice, signInNotice("Sign in to see your jobs."));
      else if (error instanceof ApiError && error.status === 404) notify(notice, "There is no such training job.", "error");
      else {
        notify(notice, `Could not load the job: ${error.message}. Retrying…`, "error");
        window.setTimeout(refresh, POLL_MS * 2);
      }
      return;
    }
    render(job);
    await renderLog().catch(() => {});
    const finished = FINISHED.has(job.status);
    if (finished && !finishedShown) {
      finishedShown = true;
      if (job.status === "done") await renderEvaluation().catch(() => {});
    }
    lastStatus = job.status;
    if (!finished) window.setTimeout(refresh, POLL_MS);
  }

  async function act(method, path, question) {
    if (question && !window.confirm(question)) return;
    try {
      await json(path, { method });
      finishedShown = false;
      if (lastStatus && FINISHED.has(lastStatus)) refresh();
    } catch (error) {
      notify(notice, `Could not do that: ${error.message}`, "error");
    }
  }

  document.getElementById("job-cancel").addEventListener("click", () =>
    act("DELETE", jobPath, "Cancel this training? Its progress so far is kept and it can be resumed."),
  );
  document.getElementById("job-resume").addEventListener("click", () => act("POST", `${jobPath}/resume`));
  refresh();
})();
