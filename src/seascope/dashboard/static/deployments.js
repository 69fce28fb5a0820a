/* Deployments page: start, list (auto-refreshed), read the log of and stop deployments. */
"use strict";

(() => {
  const { el, json, ApiError, notify, signInNotice, badge, formatTime } = window.seascope;
  const status = document.getElementById("deployments-status");
  const panel = document.getElementById("deployments-panel");
  const body = document.querySelector("#deployments-table tbody");
  const form = document.getElementById("deploy-form");
  const ACTIVE = new Set(["queued", "starting", "running"]);
  let timer = null;

  const wanted = new URLSearchParams(window.location.search).get("module");
  const select = document.getElementById("deploy-module");
  if (wanted && select && [...select.options].some((o) => o.value === wanted)) select.value = wanted;

  function resources(deployment) {
    const r = deployment.resources || {};
    const parts = [];
    if (r.cpus !== undefined) parts.push(`${r.cpus} CPU`);
    if (r.memory_mb !== undefined) parts.push(`${r.memory_mb} MB`);
    return parts.join(" · ") || "—";
  }

  async function showLog(deployment) {
    const dialog = document.getElementById("deployment-log");
    const text = document.getElementById("deployment-log-text");
    document.getElementById("deployment-log-title").textContent = `Log of ${deployment.module}`;
    text.textContent = "Loading…";
    dialog.showModal();
    try {
      const response = await window.seascope.api(`/v1/deployments/${encodeURIComponent(deployment.id)}/log`, {
        headers: { Accept: "text/plain, application/json" },
      });
      const type = response.headers.get("content-type") || "";
      const data = type.includes("json") ? await response.json() : await response.text();
      if (!response.ok) throw new ApiError(response.status, typeof data === "object" ? data : null);
      text.textContent = (typeof data === "string" ? data : data.log || data.lines?.join("\n") || JSON.stringify(data, null, 2)) || "(empty)";
    } catch (error) {
      text.textContent = `Could not read the log: ${error.message}`;
    }
  }

  async function stop(deployment) {
    if (!window.confirm(`Stop the deployment of ${deployment.module}?`)) return;
    try {
      await json(`/v1/deployments/${encodeURIComponent(deployment.id)}`, { method: "DELETE" });
      refresh();
    } catch (error) {
      notify(status, `Could not stop it: ${error.message}`, "error");
    }
  }

  function row(deployment) {
    const endpoint = deployment.endpoint
      ? el("a", { href: deployment.endpoint, rel: "noopener", text: deployment.endpoint })
      : "—";
    return el(
      "tr",
      { dataset: { deployment: deployment.id } },
      el("td", { "data-label": "Module", text: deployment.module }),
      el(
        "td",
        { "data-label": "Status", title: deployment.message || "" },
        badge(deployment.status),
        deployment.message && deployment.status === "failed" ? el("div", { class: "hint", text: deployment.message }) : null,
      ),
      el("td", { "data-label": "Endpoint" }, endpoint),
      el("td", { "data-label": "Resources", text: resources(deployment) }),
      el("td", { "data-label": "Restarts", text: String(deployment.restarts ?? 0) }),
      el("td", { "data-label": "Started", text: formatTime(deployment.created_at) }),
      el(
        "td",
        { "data-label": "Actions" },
        el(
          "div",
          { class: "actions" },
          el("button", { type: "button", class: "small secondary", onclick: () => showLog(deployment) }, "Log"),
          ACTIVE.has(deployment.status)
            ? el("button", { type: "button", class: "small danger", onclick: () => stop(deployment) }, "Stop")
            : null,
        ),
      ),
    );
  }

  async function refresh() {
    window.clearTimeout(timer);
    let deployments;
    try {
      deployments = await json("/v1/deployments");
    } catch (error) {
      panel.hidden = true;
      if (error instanceof ApiError && error.status === 401) notify(status, signInNotice("Sign in to see your deployments."));
      else if (error instanceof ApiError && error.status === 404 && error.type === "HTTPError") {
        notify(status, "This server does not offer deployments.", "error");
        form.querySelector("button").disabled = true;
        return;
      } else notify(status, `Could not load the deployments: ${error.message}`, "error");
      timer = window.setTimeout(refresh, 10000);
      return;
    }
    const list = Array.isArray(deployments) ? deployments : deployments.deployments || [];
    body.replaceChildren(...list.map(row));
    panel.hidden = list.length === 0;
    notify(status, list.length ? "" : "No deployments yet: start one above.");
    timer = window.setTimeout(refresh, list.some((d) => ACTIVE.has(d.status)) ? 3000 : 10000);
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const button = document.getElementById("deploy-submit");
    button.disabled = true;
    try {
      await json("/v1/deployments", {
        method: "POST",
        json: {
          module: data.get("module"),
          resources: { cpus: Number(data.get("cpus")), memory_mb: Number(data.get("memory_mb")) },
        },
      });
      notify(status, `Deployment of ${data.get("module")} started.`, "ok");
      refresh();
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) notify(status, signInNotice("Sign in to deploy modules."));
      else notify(status, `Could not deploy: ${error.message}`, "error");
    } finally {
      button.disabled = false;
    }
  });

  refresh();
})();
