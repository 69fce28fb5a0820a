/* seascope dashboard: what every page shares (API calls with the visitor's token, sign-in,
   small DOM helpers). Plain JavaScript, no build step. */
"use strict";

(() => {
  const base = document.body.dataset.base || "";
  const TOKEN_KEY = "seascope.token";

  /** An API error: the HTTP status and seascope's error body ({status, type, message}). */
  class ApiError extends Error {
    constructor(status, body) {
      super((body && (body.message || body.detail)) || `HTTP ${status}`);
      this.status = status;
      this.type = (body && body.type) || "";
      this.body = body || {};
    }
  }

  function token() {
    try {
      return window.localStorage.getItem(TOKEN_KEY) || "";
    } catch (_error) {
      return "";
    }
  }

  function setToken(value) {
    try {
      if (value) window.localStorage.setItem(TOKEN_KEY, value);
      else window.localStorage.removeItem(TOKEN_KEY);
    } catch (_error) {
      /* storage disabled: the token lives until the page closes */
    }
  }

  /** fetch() below the base path, with the bearer token when signed in. */
  async function api(path, options = {}) {
    const headers = new Headers(options.headers || {});
    const bearer = token();
    if (bearer && !headers.has("Authorization")) headers.set("Authorization", `Bearer ${bearer}`);
    if (!headers.has("Accept")) headers.set("Accept", "application/json");
    let body = options.body;
    if (options.json !== undefined) {
      headers.set("Content-Type", "application/json");
      body = JSON.stringify(options.json);
    }
    return fetch(base + path, { ...options, headers, body });
  }

  /** The JSON answer of api(), or an ApiError. */
  async function json(path, options = {}) {
    const response = await api(path, options);
    const type = response.headers.get("content-type") || "";
    const data = type.includes("json") ? await response.json().catch(() => null) : null;
    if (!response.ok) throw new ApiError(response.status, data);
    return data;
  }

  /** Build an element: el("a", {href: "/x", class: "chip"}, "text", child). */
  function el(tag, attributes = {}, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attributes)) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else if (key === "dataset") Object.assign(node.dataset, value);
      else if (key.startsWith("on") && typeof value === "function") {
        node.addEventListener(key.slice(2), value);
      } else node.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function badge(status) {
    return el("span", { class: `badge ${status}`, text: status });
  }

  function progressBar(fraction, label) {
    const percent = Math.max(0, Math.min(100, Math.round((fraction || 0) * 100)));
    return el(
      "div",
      { class: "progress" },
      el(
        "div",
        {
          class: "track",
          role: "progressbar",
          "aria-valuemin": 0,
          "aria-valuemax": 100,
          "aria-valuenow": percent,
          "aria-label": label || "Progress",
        },
        el("div", { class: "fill", style: `width: ${percent}%` }),
      ),
      el("span", { class: "pct", text: `${percent}%` }),
    );
  }

  function formatTime(iso) {
    if (!iso) return "";
    const date = new Date(iso);
    if (Number.isNaN(date.getTime())) return iso;
    const sameDay = date.toDateString() === new Date().toDateString();
    return sameDay
      ? date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" })
      : date.toLocaleString([], { dateStyle: "medium", timeStyle: "short" });
  }

  function formatDuration(seconds) {
    if (seconds === null || seconds === undefined || Number.isNaN(seconds)) return "";
    const s = Math.max(0, Math.round(seconds));
    if (s < 60) return `${s} s`;
    const m = Math.floor(s / 60);
    if (m < 60) return `${m} min ${String(s % 60).padStart(2, "0")} s`;
    return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, "0")} min`;
  }

  function between(startIso, endIso) {
    if (!startIso) return null;
    const end = endIso ? new Date(endIso) : new Date();
    return (end.getTime() - new Date(startIso).getTime()) / 1000;
  }

  /** Put a message in a notice element; kind is "", "error" or "ok". */
  function notify(element, message, kind = "") {
    if (!element) return;
    element.className = `notice ${kind}`.trim();
    element.replaceChildren(...(Array.isArray(message) ? message : [message]));
  }

  /** The notice shown instead of private data to visitors who are not signed in. */
  function signInNotice(sentence) {
    return [
      `${sentence} `,
      el("button", { type: "button", class: "small", onclick: () => openSignIn() }, "Sign in"),
    ];
  }

  // --- Who is signed in -------------------------------------------------------------
  let mePromise = null;

  /** GET /v1/me: {subject, name, method, auth_mode, anonymous}; null without such a route. */
  function me() {
    if (!mePromise) {
      mePromise = json("/v1/me").catch((error) => {
        if (error instanceof ApiError && error.status === 401) {
          return { anonymous: true, method: "token", invalid: true };
        }
        return null;
      });
    }
    return mePromise;
  }

  function openSignIn() {
    const dialog = document.getElementById("sign-in");
    if (!dialog) return;
    document.getElementById("sign-in-error").textContent = "";
    document.getElementById("sign-in-token").value = "";
    dialog.showModal();
  }

  async function renderAccount() {
    const box = document.getElementById("account");
    if (!box) return;
    const who = await me();
    // Local mode (one user, no login) and servers without /v1/me show no sign-in.
    if (!who || who.auth_mode === "local" || who.method === "local") {
      box.hidden = true;
      return;
    }
    if (who.anonymous) {
      box.replaceChildren(
        who.invalid ? el("span", { text: "Your token was refused." }) : "",
        el("button", { type: "button", class: "small", onclick: openSignIn }, "Sign in"),
      );
    } else {
      box.replaceChildren(
        el("span", { title: who.subject || "" }, "Signed in as ", el("strong", { text: who.name || who.subject })),
        el(
          "button",
          {
            type: "button",
            class: "small secondary",
            onclick: () => {
              setToken("");
              window.location.reload();
            },
          },
          "Sign out",
        ),
      );
    }
    box.hidden = false;
  }

  function wireSignIn() {
    const dialog = document.getElementById("sign-in");
    const form = document.getElementById("sign-in-form");
    if (!dialog || !form) return;
    document.getElementById("sign-in-cancel").addEventListener("click", () => dialog.close());
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const value = document.getElementById("sign-in-token").value.trim().replace(/^Bearer\s+/i, "");
      if (!value) return;
      const response = await fetch(`${base}/v1/me`, {
        headers: { Authorization: `Bearer ${value}`, Accept: "application/json" },
      }).catch(() => null);
      if (response && response.status === 401) {
        const body = await response.json().catch(() => ({}));
        document.getElementById("sign-in-error").textContent =
          `This token was refused: ${body.message || "not valid here"}`;
        return;
      }
      setToken(value);
      dialog.close();
      window.location.reload();
    });
  }

  window.seascope = {
    base,
    ApiError,
    api,
    json,
    el,
    badge,
    progressBar,
    formatTime,
    formatDuration,
    between,
    notify,
    signInNotice,
    openSignIn,
    me,
    token,
    setToken,
  };

  document.addEventListener("DOMContentLoaded", () => {
    wireSignIn();
    renderAccount();
    // Catalog filters apply as soon as a list changes (the form still works without JS).
    const filters = document.getElementById("catalog-filters");
    if (filters) {
      for (const select of filters.querySelectorAll("select")) {
        select.addEventListener("change", () => filters.requestSubmit());
      }
      // Leave empty filters out of the address: "/?tag=plankton", not "/?text=&task=&...".
      filters.addEventListener("submit", () => {
        for (const field of filters.elements) {
          if (field.name && !field.value) field.disabled = true;
        }
      });
      window.addEventListener("pageshow", () => {
        for (const field of filters.elements) field.disabled = false;
      });
    }
  });
})();
