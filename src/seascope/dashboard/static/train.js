/* Train page: a form built from the module's training-parameter schema, a dataset from a
   server folder or an uploaded zip, then POST /v1/modules/{name}/trainings. */
"use strict";

(() => {
  const { el, api, json, ApiError, notify, signInNotice, base } = window.seascope;
  const form = document.getElementById("train-form");
  if (!form) return;
  const moduleSelect = document.getElementById("train-module");
  const paramsBox = document.getElementById("train-params");
  const status = document.getElementById("train-status");
  const submit = document.getElementById("train-submit");
  const datasetInput = document.getElementById("train-dataset");
  const archiveInput = document.getElementById("train-archive");
  let schema = null;
  let fields = [];

  // Which parameters show at once; the rest sit under "More parameters".
  const COMMON = new Set(["epochs", "batch_size", "image_size", "backbone", "lr", "validation_fraction", "val_fraction", "seed"]);

  function resolve(property) {
    if (property.$ref && schema.$defs) return { ...schema.$defs[property.$ref.split("/").pop()], ...property };
    return property;
  }

  /** {type, enum, minimum, maximum, nullable} of a JSON-schema property, or null if not a form field. */
  function describe(property) {
    let p = resolve(property);
    let nullable = false;
    if (Array.isArray(p.anyOf)) {
      const others = p.anyOf.filter((option) => option.type !== "null");
      nullable = others.length !== p.anyOf.length;
      if (others.length !== 1) return null;
      p = { ...resolve(others[0]), default: p.default, description: p.description, title: p.title };
    }
    if (!["string", "integer", "number", "boolean"].includes(p.type)) return null;
    return { ...p, nullable };
  }

  function fieldFor(name, property, required) {
    const info = describe(property);
    if (!info) return null;
    const id = `param-${name}`;
    const title = property.title || name;
    const hint = property.description ? el("span", { class: "hint", text: property.description }) : null;
    let input;
    if (info.type === "boolean") {
      input = el("input", { id, type: "checkbox", name, checked: info.default === true });
      return { name, info, input, node: el("div", { class: "field check" }, input, el("label", { for: id, text: title }), hint) };
    }
    if (Array.isArray(info.enum)) {
      input = el(
        "select",
        { id, name },
        info.nullable ? el("option", { value: "", text: "—" }) : null,
        info.enum.map((value) => el("option", { value, selected: value === info.default, text: String(value) })),
      );
    } else {
      const numeric = info.type === "integer" || info.type === "number";
      input = el("input", {
        id,
        name,
        type: numeric ? "number" : "text",
        step: info.type === "integer" ? "1" : numeric ? "any" : null,
        min: info.minimum ?? null,
        max: info.maximum ?? null,
        value: info.default ?? "",
        placeholder: info.nullable ? "default" : null,
        required: required || null,
        spellcheck: numeric ? null : "false",
        autocomplete: "off",
      });
    }
    return { name, info, input, node: el("div", { class: "field" }, el("label", { for: id, text: title }), input, hint) };
  }

  function valueOf(field) {
    const { input, info } = field;
    if (info.type === "boolean") return input.checked;
    const raw = input.value.trim();
    if (raw === "") return undefined;
    if (info.type === "integer") return Number.parseInt(raw, 10);
    if (info.type === "number") return Number(raw);
    return raw;
  }

  async function loadSchema() {
    const name = moduleSelect.value;
    paramsBox.replaceChildren(el("p", { class: "hint", text: "Loading the module's training parameters…" }));
    try {
      const detail = await json(`/v1/modules/${encodeURIComponent(name)}`);
      schema = detail.train_params || { properties: {} };
    } catch (error) {
      paramsBox.replaceChildren(el("p", { class: "notice error", text: `Could not load the parameters: ${error.message}` }));
      return;
    }
    const required = new Set(schema.required || []);
    fields = Object.entries(schema.properties || {})
      .filter(([key]) => key !== "dataset")
      .map(([key, property]) => fieldFor(key, property, required.has(key)))
      .filter(Boolean);
    const common = fields.filter((f) => COMMON.has(f.name) || required.has(f.name));
    const more = fields.filter((f) => !common.includes(f));
    const sections = [];
    if (common.length) sections.push(el("div", { class: "form-grid" }, common.map((f) => f.node)));
    if (more.length) {
      sections.push(
        el(
          "details",
          { class: "more" },
          el("summary", { text: `More parameters (${more.length})` }),
          el("div", { class: "form-grid" }, more.map((f) => f.node)),
        ),
      );
    }
    paramsBox.replaceChildren(...sections);
  }

  function source() {
    return form.querySelector('input[name="dataset-source"]:checked').value;
  }

  function showSource() {
    const upload = source() === "upload";
    document.getElementById("dataset-server").hidden = upload;
    document.getElementById("dataset-upload").hidden = !upload;
  }

  async function uploadArchive(file) {
    const body = new FormData();
    body.append("file", file, file.name);
    notify(status, `Uploading ${file.name} (${(file.size / 1048576).toFixed(1)} MB)…`);
    const response = await api("/v1/datasets/uploads", { method: "POST", body });
    const data = await response.json().catch(() => null);
    if (!response.ok) throw new ApiError(response.status, data);
    return data;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    submit.disabled = true;
    try {
      let dataset = datasetInput.value.trim();
      if (source() === "upload") {
        const file = archiveInput.files && archiveInput.files[0];
        if (!file) throw new Error("choose a zip archive first");
        const uploaded = await uploadArchive(file);
        dataset = uploaded.path;
        notify(status, `Uploaded ${uploaded.images} images in ${Object.keys(uploaded.classes || {}).length} classes.`, "ok");
      }
      if (!dataset) throw new Error("give the dataset folder");
      const params = { dataset };
      for (const field of fields) {
        const value = valueOf(field);
        if (value !== undefined && !(typeof value === "number" && Number.isNaN(value))) params[field.name] = value;
      }
      const job = await json(`/v1/modules/${encodeURIComponent(moduleSelect.value)}/trainings`, {
        method: "POST",
        json: params,
      });
      notify(status, "Training started.", "ok");
      window.location.assign(`${base}/jobs/${encodeURIComponent(job.id)}`);
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) notify(status, signInNotice("Sign in to train models."));
      else notify(status, `Could not start the training: ${error.message}`, "error");
      submit.disabled = false;
    }
  });

  for (const radio of form.querySelectorAll('input[name="dataset-source"]')) radio.addEventListener("change", showSource);
  moduleSelect.addEventListener("change", () => {
    const url = new URL(window.location.href);
    url.searchParams.set("module", moduleSelect.value);
    window.history.replaceState(null, "", url);
    loadSchema();
  });
  showSource();
  loadSchema();
})();
