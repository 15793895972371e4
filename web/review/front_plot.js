// The Pareto front as an SVG scatter plot of two objectives: one point per solution, the knee
// ringed, the shown solution filled, the recorded choice marked. Hover and click call back.
"use strict";

(function () {
  const SVG = "http://www.w3.org/2000/svg";
  const W = 310, H = 260, LEFT = 52, RIGHT = 10, TOP = 10, BOTTOM = 38;

  function el(name, attrs, parent) {
    const e = document.createElementNS(SVG, name);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    if (parent) parent.appendChild(e);
    return e;
  }

  function fmt(v) {
    if (!isFinite(v)) return String(v);
    const a = Math.abs(v);
    return a !== 0 && (a < 1e-3 || a >= 1e4) ? v.toExponential(2) : v.toPrecision(3);
  }

  function unit(name) { return name === "guidance" ? " (mm)" : ""; }

  // ax, ay: objective indices. options: {current, chosen, knee, onHover(k, event), onClick(k)}
  function draw(container, front, ax, ay, options) {
    container.textContent = "";
    const svg = el("svg", { width: W, height: H, viewBox: `0 0 ${W} ${H}`, role: "img",
                            "aria-label": "Pareto front" }, container);
    const xs = front.solutions.map((s) => s.objectives[ax]);
    const ys = front.solutions.map((s) => s.objectives[ay]);
    const range = (v) => {
      let lo = Math.min(...v), hi = Math.max(...v);
      if (!(hi > lo)) { lo -= 1e-9 + Math.abs(lo) * 0.05; hi += 1e-9 + Math.abs(hi) * 0.05; }
      const pad = (hi - lo) * 0.06;
      return [lo - pad, hi + pad];
    };
    const [x0, x1] = range(xs), [y0, y1] = range(ys);
    const px = (v) => LEFT + ((v - x0) / (x1 - x0)) * (W - LEFT - RIGHT);
    const py = (v) => H - BOTTOM - ((v - y0) / (y1 - y0)) * (H - TOP - BOTTOM);
    el("line", { x1: LEFT, y1: H - BOTTOM, x2: W - RIGHT, y2: H - BOTTOM, stroke: "#777" }, svg);
    el("line", { x1: LEFT, y1: TOP, x2: LEFT, y2: H - BOTTOM, stroke: "#777" }, svg);
    for (let i = 0; i <= 3; ++i) {
      const vx = x0 + ((x1 - x0) * i) / 3, vy = y0 + ((y1 - y0) * i) / 3;
      el("text", { x: px(vx), y: H - BOTTOM + 13, fill: "#aaa", "font-size": 9,
                   "text-anchor": "middle" }, svg).textContent = fmt(vx);
      el("text", { x: LEFT - 4, y: py(vy) + 3, fill: "#aaa", "font-size": 9,
                   "text-anchor": "end" }, svg).textContent = fmt(vy);
    }
    el("text", { x: (LEFT + W - RIGHT) / 2, y: H - 6, fill: "#ddd", "font-size": 11,
                 "text-anchor": "middle" }, svg).textContent =
      front.objectives[ax] + unit(front.objectives[ax]);
    el("text", { x: 12, y: (TOP + H - BOTTOM) / 2, fill: "#ddd", "font-size": 11,
                 "text-anchor": "middle",
                 transform: `rotate(-90 12 ${(TOP + H - BOTTOM) / 2})` }, svg).textContent =
      front.objectives[ay] + unit(front.objectives[ay]);
    front.solutions.forEach((s, k) => {
      const cx = px(xs[k]), cy = py(ys[k]);
      if (k === options.knee)
        el("circle", { cx, cy, r: 9, fill: "none", stroke: "#fff", "stroke-dasharray": "2 2" }, svg);
      if (k === options.chosen)
        el("circle", { cx, cy, r: 12, fill: "none", stroke: "#6e6", "stroke-width": 2 }, svg);
      const fill = k === options.current ? "#f93" : s.dominated ? "#666" : "#4af";
      const dot = el("circle", { cx, cy, r: 6, fill, stroke: s.folded_fraction > 0 ? "#f33" : "#000",
                                 "stroke-width": s.folded_fraction > 0 ? 2 : 1,
                                 "data-solution": k }, svg);
      dot.addEventListener("mouseenter", (e) => options.onHover(k, e));
      dot.addEventListener("mousemove", (e) => options.onHover(k, e));
      dot.addEventListener("mouseleave", () => options.onHover(null));
      dot.addEventListener("click", (e) => options.onClick(k, e));
    });
    return svg;
  }

  // A solution's numbers as HTML-free text lines (objectives, folding, truth when scored).
  function describe(front, k) {
    const s = front.solutions[k];
    const lines = [`solution ${k}${k === front.knee ? " (knee)" : ""}${s.dominated ? ", dominated" : ""}`];
    front.objectives.forEach((name, i) => lines.push(`${name}: ${fmt(s.objectives[i])}${name === "guidance" ? " mm" : ""}`));
    lines.push(`folded fraction ${fmt(s.folded_fraction)}, Jacobian min ${fmt(s.jacobian_min)}`);
    if (s.truth) {
      lines.push(`truth: TRE mean ${fmt(s.truth.tre_mean_mm)} mm, p95 ${fmt(s.truth.tre_p95_mm)} mm`);
      const dice = Object.entries(s.truth.dice || {}).map(([o, d]) => `${o} ${d.toFixed(3)}`);
      if (dice.length) lines.push("Dice " + dice.join(", "));
    }
    return lines;
  }

  window.modirFrontPlot = { draw, describe, fmt };
})();
