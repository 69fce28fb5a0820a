/* Module page: the trained model's facts and "Try it" (upload images, see top-k bars). */
"use strict";

(() => {
  const { el, api, json, ApiError, notify, signInNotice } = window.seascope;
  const modelPanel = document.getElementById("model");
  const tryPanel = document.getElementById("try");
  const moduleName = (tryPanel || modelPanel || document.body).dataset.module;
  if (!moduleName) return;
  const modulePath = `/v1/modules/${encodeURIComponent(moduleName)}`;

  // --- Model card -------------------------------------------------------------------
  const LABELS = {
    trained: "Trained",
    classes: "Classes",
    weights: "Weights",
    weights_init: "Initial weights",
    backbone: "Backbone",
    engine: "Engine",
    device: "Device",
    image_size: "Image size",
    temperature: "Calibration temperature",
    unknown_threshold: "'Unknown' threshold",
    val_accuracy: "Validation accuracy",
    val_macro_f1: "Validation macro-F1",
    test_accuracy: "Test accuracy",
    test_macro_f1: "Test macro-F1",
    dataset_fingerprint: "Dataset fingerprint",
  };

  function label(key) {
    if (LABELS[key]) return LABELS[key];
    const words = key.replace(/_/g, " ");
    return words.charAt(0).toUpperCase() + words.slice(1);
  }

  function factValue(key, value) {
    if (key === "classes" && Array.isArray(value)) {
      const shown = value.slice(0, 40).map((name) => el("li", { class: "chip", text: name }));
      const more = value.length > 40 ? [el("li", { class: "chip", text: `+${value.length - 40} more` })] : [];
      return el("ul", { class: "chips", "aria-label": `${value.length} classes` }, shown, more);
    }
    if (typeof value === "boolean") return value ? "yes" : "no";
    if (typeof value === "number") {
      return /accuracy|f1/.test(key) ? `${(value * 100).toFixed(1)} %` : String(Number(value.toFixed(4)));
    }
    if (value === null || value === undefined || value === "") return "—";
    if (typeof value === "object") return el("code", { text: JSON.stringify(value) });
    return String(value);
  }

  function renderModel(detail) {
    const box = document.getElementById("model-facts");
    if (!box) return;
    const runtime = detail.runtime || {};
    const keys = Object.keys(runtime);
    if (!keys.length) {
      const message = detail.error
        ? `The model could not be loaded: ${detail.error}`
        : "The model loads on first use; its classes, weights and metrics show here then.";
      box.replaceChildren(el("p", { class: detail.error ? "notice error" : "hint", text: message }));
      return;
    }
    // Metrics first: they are what a scientist looks for.
    const order = [...keys].sort((a, b) => rank(a) - rank(b));
    box.replaceChildren(
      el(
        "dl",
        { class: "facts", id: "model-card" },
        order.flatMap((key) => [el("dt", { text: label(key) }), el("dd", {}, factValue(key, runtime[key]))]),
      ),
    );
  }

  function rank(key) {
    if (/accuracy|f1/.test(key)) return 0;
    if (key === "trained" || key === "weights") return 1;
    if (key === "classes") return 3;
    return 2;
  }

  let detailPromise = null;

  async function loadModel() {
    detailPromise = json(modulePath).catch(() => null);
    const detail = await detailPromise;
    if (detail) renderModel(detail);
    else {
      const box = document.getElementById("model-facts");
      if (box) box.replaceChildren(el("p", { class: "hint", text: "The model's facts could not be loaded." }));
    }
    return detail;
  }

  // --- Try it -----------------------------------------------------------------------
  const form = document.getElementById("try-form");
  const input = document.getElementById("try-files");
  const status = document.getElementById("try-status");
  const results = document.getElementById("try-results");
  const timer = document.getElementById("try-timer");
  const submit = document.getElementById("try-submit");
  const topK = document.getElementById("try-top-k");
  let session = null; // {id, expiresAt} for a try session, {direct: true} without try routes
  let objectUrls = [];

  function expiry(data) {
    if (typeof data.seconds_left === "number") return Date.now() + data.seconds_left * 1000;
    const parsed = Date.parse(data.expires_at || "");
    return Number.isNaN(parsed) ? Date.now() + 600000 : parsed;
  }

  function tick() {
    if (!session || session.direct) {
      timer.textContent = "";
      return;
    }
    const left = Math.round((session.expiresAt - Date.now()) / 1000);
    if (left <= 0) {
      session = null;
      timer.textContent = "Try session ended · the next images start a new one";
      return;
    }
    const minutes = Math.floor(left / 60);
    timer.textContent = `Try session: ${minutes}:${String(left % 60).padStart(2, "0")} left`;
  }

  async function startSession() {
    const response = await api("/v1/tries", { method: "POST", json: { module: moduleName } });
    const data = await response.json().catch(() => null);
    if (response.status === 404 && (!data || data.type === "HTTPError")) {
      // This server has no try sessions: predict with the module's own route.
      return { direct: true };
    }
    if (!response.ok) throw new ApiError(response.status, data);
    return { id: data.id, expiresAt: expiry(data) };
  }

  async function ensureSession() {
    if (session && (session.direct || session.expiresAt - Date.now() > 3000)) return session;
    session = await startSession();
    tick();
    return session;
  }

  function predictPath(current) {
    return current.direct ? `${modulePath}/predict` : `/v1/tries/${encodeURIComponent(current.id)}/predict`;
  }

  async function classify(files) {
    const body = new FormData();
    for (const file of files) body.append("files", file, file.name);
    if (topK && !document.getElementById("try-top-k-field").hidden) {
      body.append("params", JSON.stringify({ top_k: Number(topK.value) }));
    }
    let current = await ensureSession();
    let response = await api(predictPath(current), { method: "POST", body });
    if (!current.direct && [404, 409, 410].includes(response.status)) {
      // The session ended meanwhile (or was stopped): start another one, once.
      session = null;
      current = await ensureSession();
      response = await api(predictPath(current), { method: "POST", body });
    }
    const data = await response.json().catch(() => null);
    if (!response.ok) throw new ApiError(response.status, data);
    return data;
  }

  function renderResults(files, data) {
    for (const url of objectUrls) URL.revokeObjectURL(url);
    objectUrls = [];
    const predictions = data.predictions || [];
    results.replaceChildren(
      ...files.map((file, index) => {
        const url = URL.createObjectURL(file);
        objectUrls.push(url);
        const prediction = predictions[index] || { classes: [] };
        const classes = prediction.classes || [];
        return el(
          "li",
          { class: "result", dataset: { input: file.name } },
          el("img", { src: url, alt: file.name, loading: "lazy" }),
          el(
            "div",
            {},
            el("div", { class: "name", text: file.name }),
            classes.length
              ? el(
                  "ol",
                  { class: "bars", "aria-label": `Top classes for ${file.name}` },
                  classes.map((score) => {
                    const percent = Math.max(0, Math.min(100, score.score * 100));
                    return el(
                      "li",
                      { class: "bar" },
                      el("span", { class: "label", text: score.label, title: score.label }),
                      el("span", { class: "score", text: `${percent.toFixed(1)} %` }),
                      el(
                        "span",
                        { class: "track", "aria-hidden": "true" },
                        el("span", { class: "fill", style: `width: ${percent.toFixed(1)}%; display: block` }),
                      ),
                    );
                  }),
                )
              : el("p", { class: "hint", text: "No class returned for this image." }),
          ),
        );
      }),
    );
  }

  async function run() {
    const files = Array.from(input.files || []);
    if (!files.length) return;
    submit.disabled = true;
    input.disabled = true;
    notify(status, `Classifying ${files.length} image${files.length === 1 ? "" : "s"}…`);
    try {
      const data = await classify(files);
      renderResults(files, data);
      const seconds = data.timing ? ` in ${data.timing.total.toFixed(2)} s` : "";
      notify(status, `${files.length} image${files.length === 1 ? "" : "s"} classified${seconds}.`, "ok");
      if (modelPanel && !document.getElementById("model-card")) loadModel();
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) notify(status, signInNotice("Sign in to try this model."), "error");
      else notify(status, `Could not classify: ${error.message}`, "error");
    } finally {
      submit.disabled = false;
      input.disabled = false;
    }
  }

  function wireTry() {
    if (!form) return;
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      run();
    });
    input.addEventListener("change", () => run());
    const drop = document.getElementById("try-drop");
    drop.addEventListener("dragover", (event) => {
      event.preventDefault();
      drop.classList.add("dragging");
    });
    drop.addEventListener("dragleave", () => drop.classList.remove("dragging"));
    drop.addEventListener("drop", (event) => {
      event.preventDefault();
      drop.classList.remove("dragging");
      if (event.dataTransfer && event.dataTransfer.files.length) {
        input.files = event.dataTransfer.files;
        run();
      }
    });
    window.setInterval(tick, 1000);
  }

  wireTry();
  loadModel().then((detail) => {
    const schema = detail && detail.predict_params;
    if (schema && schema.properties && schema.properties.top_k && topK) {
      document.getElementById("try-top-k-field").hidden = false;
    }
  });
})();
