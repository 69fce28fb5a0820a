/* Line charts drawn as inline SVG (no charting library). */
"use strict";

(() => {
  const SVG = "http://www.w3.org/2000/svg";
  const COLOURS = ["#0b6e8a", "#d9822b", "#1c7a3f", "#8e44ad", "#b02a2a", "#5d6d7e"];

  function svg(tag, attributes = {}, text) {
    const node = document.createElementNS(SVG, tag);
    for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function niceTicks(low, high, count) {
    if (low === high) {
      const pad = Math.abs(low) * 0.1 || 1;
      low -= pad;
      high += pad;
    }
    const raw = (high - low) / Math.max(1, count);
    const magnitude = 10 ** Math.floor(Math.log10(raw));
    const step = [1, 2, 2.5, 5, 10].map((f) => f * magnitude).find((s) => s >= raw) || raw;
    const start = Math.floor(low / step) * step;
    const end = Math.ceil(high / step) * step;
    const ticks = [];
    for (let value = start; value <= end + step / 2; value += step) ticks.push(Number(value.toFixed(10)));
    return ticks;
  }

  function format(value, percent) {
    if (percent) return `${Math.round(value * 100)}%`;
    if (Math.abs(value) >= 100) return value.toFixed(0);
    if (Math.abs(value) >= 1) return value.toFixed(2).replace(/\.?0+$/, "");
    return value.toFixed(3).replace(/\.?0+$/, "");
  }

  /**
   * Draw series = [{name, points: [[x, y], ...]}] into container.
   * options: {percent: bool (y in 0..1 shown as %), xLabel, empty: message}
   */
  function lineChart(container, series, options = {}) {
    const drawn = series.filter((s) => s.points.length);
    container.replaceChildren();
    if (!drawn.length) {
      const empty = document.createElement("p");
      empty.className = "hint";
      empty.textContent = options.empty || "No values yet.";
      container.append(empty);
      return;
    }
    const width = 480;
    const height = 240;
    const margin = { top: 12, right: 16, bottom: 34, left: 48 };
    const xs = drawn.flatMap((s) => s.points.map((p) => p[0]));
    const ys = drawn.flatMap((s) => s.points.map((p) => p[1]));
    let yLow = Math.min(...ys);
    let yHigh = Math.max(...ys);
    if (options.percent) {
      yLow = Math.max(0, Math.min(yLow, 0.5));
      yHigh = Math.min(1, Math.max(yHigh, yLow + 0.1));
    } else {
      yLow = Math.min(0, yLow);
    }
    const yTicks = niceTicks(yLow, yHigh, 4);
    const y0 = yTicks[0];
    const y1 = yTicks[yTicks.length - 1];
    const xLow = Math.min(...xs);
    const xHigh = Math.max(...xs);
    const xSpan = xHigh - xLow || 1;
    const plotW = width - margin.left - margin.right;
    const plotH = height - margin.top - margin.bottom;
    const px = (x) => margin.left + (xs.length === 1 || xHigh === xLow ? plotW / 2 : ((x - xLow) / xSpan) * plotW);
    const py = (y) => margin.top + plotH - ((y - y0) / (y1 - y0 || 1)) * plotH;

    const root = svg("svg", {
      viewBox: `0 0 ${width} ${height}`,
      role: "img",
      "aria-label": options.label || drawn.map((s) => s.name).join(", "),
    });
    for (const tick of yTicks) {
      root.append(svg("line", { class: "grid-line", x1: margin.left, x2: width - margin.right, y1: py(tick), y2: py(tick) }));
      root.append(svg("text", { x: margin.left - 6, y: py(tick) + 4, "text-anchor": "end" }, format(tick, options.percent)));
    }
    root.append(svg("line", { class: "axis", x1: margin.left, x2: width - margin.right, y1: margin.top + plotH, y2: margin.top + plotH }));
    const xTicks = xHigh - xLow <= 12 ? [...new Set(xs)].sort((a, b) => a - b) : niceTicks(xLow, xHigh, 6).filter((t) => t >= xLow && t <= xHigh);
    for (const tick of xTicks) {
      root.append(svg("text", { x: px(tick), y: height - margin.bottom + 16, "text-anchor": "middle" }, format(tick, false)));
    }
    root.append(svg("text", { x: margin.left + plotW / 2, y: height - 4, "text-anchor": "middle" }, options.xLabel || "epoch"));

    const legend = document.createElement("div");
    legend.className = "legend";
    drawn.forEach((s, index) => {
      const colour = COLOURS[index % COLOURS.length];
      const points = [...s.points].sort((a, b) => a[0] - b[0]);
      if (points.length > 1) {
        const d = points.map((p, i) => `${i ? "L" : "M"}${px(p[0]).toFixed(1)},${py(p[1]).toFixed(1)}`).join(" ");
        root.append(svg("path", { class: "series", d, stroke: colour, "data-series": s.name }));
      }
      for (const p of points) {
        const dot = svg("circle", { cx: px(p[0]), cy: py(p[1]), r: points.length > 30 ? 1.5 : 3, fill: colour });
        dot.append(svg("title", {}, `${s.name} at ${format(p[0], false)}: ${format(p[1], options.percent)}`));
        root.append(dot);
      }
      const key = document.createElement("span");
      key.style.setProperty("--swatch", colour);
      key.textContent = s.name;
      legend.append(key);
    });
    container.append(root, legend);
  }

  window.seascope = Object.assign(window.seascope || {}, { lineChart });
})();
